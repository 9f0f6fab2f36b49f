"""The packages split for issue 12 stay split: no module of sharing, messaging or keys over 400 lines."""

from __future__ import annotations

from pathlib import Path

import pytest

RUNTIME = Path(__file__).parents[3] / "src" / "consentgate" / "runtime"
LIMIT = 400


@pytest.mark.parametrize("package", ["sharing", "messaging", "keys"])
def test_no_module_is_over_the_limit(package: str) -> None:
    sizes = {p.name: len(p.read_text("utf-8").splitlines()) for p in (RUNTIME / package).glob("*.py")}
    assert sizes and {name: n for name, n in sizes.items() if n > LIMIT} == {}
