"""Every YAML file a person hands us goes through the manifest's limits, not only manifests: a flow file
(`observe --flow`) and a content catalog (the feed) of 50,000 `[` or an alias bomb are refused with a
located error instead of crashing the process (PyYAML's own composer recurses per nesting level)."""

from __future__ import annotations

import pytest

from consentgate.errors import ConsentgateError, ManifestErrors
from consentgate.observe.flow import parse_flow
from consentgate.runtime.feed.catalog import parse_catalog
from consentgate.runtime.feed.errors import CatalogInvalid

DEEP = "[" * 50_000
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"b{i}: &b{i} [{', '.join(['*' + ('a' if i == 0 else f'b{i - 1}')] * 9)}]\n" for i in range(12)
)


@pytest.mark.parametrize(("text", "says"), [(DEEP, "64"), (BOMB, "100")])
def test_a_hostile_flow_file_is_refused_with_its_place(text: str, says: str) -> None:
    with pytest.raises(ManifestErrors) as caught:
        parse_flow(text, "flow.yaml")
    assert "flow.yaml:" in caught.value.text.en and says in caught.value.text.en
    assert caught.value.text.zh and caught.value.location is not None


@pytest.mark.parametrize(("text", "says"), [(DEEP, "64"), (BOMB, "100")])
def test_a_hostile_content_catalog_is_refused_with_its_place(text: str, says: str) -> None:
    with pytest.raises(CatalogInvalid) as caught:
        parse_catalog(text, source="catalog.yaml")
    error: ConsentgateError = caught.value
    assert "catalog.yaml:" in error.text.en and says in error.text.en and error.location is not None
