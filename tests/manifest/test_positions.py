"""Pointers name nodes by id or index; each must map to the line and column of its key or item."""

from __future__ import annotations

import pytest

from consentgate.manifest.loader import parse_manifest
from consentgate.manifest.positions import Position, PositionMap, from_dotted, is_within, pointer

SOURCE = """\
manifest_version: 1
app:
  name: demo
  type: learning-education
data:
  - id: phone
    category: contact.phone
  - {id: nickname, category: profile.interests}
purposes:
  - id: courses
    kind: basic-function
    basis: contract-necessity
    data: [phone]
  - id: push
    kind: personalization
    basis: consent
    data:
      - nickname
onboarding:
  - id: login
    fields:
      - {data: phone, required: true}
    actions: [submit, back]
consent:
  withdrawal: {channel: in-app-settings, steps: 2}
"""


@pytest.fixture(scope="module")
def positions() -> PositionMap:
    return parse_manifest(SOURCE, "app.yaml").positions


@pytest.mark.parametrize(
    ("node_pointer", "line", "column"),
    [
        ("/app", 2, 1),
        ("/app/type", 4, 3),
        ("/data/phone", 6, 5),  # a list item named by its id: where the item starts
        ("/data/phone/category", 7, 5),
        ("/data/nickname", 8, 5),  # a flow mapping item
        ("/data/nickname/category", 8, 20),
        ("/purposes/courses/basis", 12, 5),
        ("/purposes/courses/data/0", 13, 12),  # items without an id are named by index
        ("/purposes/push/data/0", 18, 9),
        ("/onboarding/login/fields/0", 22, 9),
        ("/onboarding/login/fields/0/required", 22, 23),
        ("/onboarding/login/actions/1", 23, 23),
        ("/consent/withdrawal/steps", 25, 42),
    ],
)
def test_pointer_maps_to_its_line_and_column(
    positions: PositionMap, node_pointer: str, line: int, column: int
) -> None:
    assert positions.at(node_pointer) == Position(line, column)


def test_line_numbers_follow_the_text(positions: PositionMap) -> None:
    lines = SOURCE.splitlines()
    for node_pointer in ("/app/type", "/data/phone/category", "/purposes/push/basis", "/consent"):
        at = positions.at(node_pointer)
        key = node_pointer.rsplit("/", 1)[1]
        assert lines[at.line - 1][at.column - 1 :].startswith(key), node_pointer


def test_absent_node_falls_back_to_nearest_ancestor(positions: PositionMap) -> None:
    assert positions.at("/purposes/push/personalization/opt_out") == positions.at("/purposes/push")
    assert positions.at("/rights/copy") == Position(1, 1)  # no `rights` at all: the top of the file


def test_location_carries_file_and_pointer() -> None:
    loaded = parse_manifest(SOURCE, "app.yaml")
    location = loaded.location("/purposes/push/basis")
    assert (location.path, location.line, location.column, location.pointer) == (
        "app.yaml",
        16,
        5,
        "/purposes/push/basis",
    )


def test_pointer_escapes_slash_and_tilde() -> None:
    assert pointer("data", "a/b", "c~d", 0) == "/data/a~1b/c~0d/0"


def test_dotted_suppression_paths_become_pointers() -> None:
    assert from_dotted("purposes.push.basis") == "/purposes/push/basis"
    assert from_dotted("/purposes/push") == "/purposes/push"


def test_is_within_respects_segment_boundaries() -> None:
    assert is_within("/purposes/push/basis", "/purposes/push")
    assert not is_within("/purposes/push-2/basis", "/purposes/push")
    assert is_within("/anything", "")


def test_reordering_items_keeps_pointers() -> None:
    swapped = SOURCE.replace(
        "  - id: phone\n    category: contact.phone\n  - {id: nickname, category: profile.interests}\n",
        "  - {id: nickname, category: profile.interests}\n  - id: phone\n    category: contact.phone\n",
    )
    positions = parse_manifest(swapped, "app.yaml").positions
    assert positions.at("/data/nickname") == Position(6, 5)
    assert positions.at("/data/phone") == Position(7, 5)
