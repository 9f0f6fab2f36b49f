"""The committed trace examples (examples/traces/) are what `examples.py` writes: the README's commands
run on them, so a reader or writer change that silently altered them would make the README lie."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.observe.traces.read import open_trace
from tests.observe.traces.examples import write_examples

COMMITTED = Path(__file__).parents[3] / "examples" / "traces"
TRACES = ("camille-export.xls", "camille-old-export.xls", "capture.har", "trace.jsonl")


@pytest.mark.parametrize("name", TRACES)
def test_a_committed_example_reads_to_the_events_its_writer_gives(name: str, tmp_path: Path) -> None:
    write_examples(tmp_path)
    committed = list(open_trace(COMMITTED / name).events())
    assert committed, name
    assert committed == list(open_trace(tmp_path / name).events())


def test_the_committed_declared_manifest_is_the_writers(tmp_path: Path) -> None:
    write_examples(tmp_path)
    assert (COMMITTED / "app.yaml").read_text("utf-8") == (tmp_path / "app.yaml").read_text("utf-8")
