"""Observing ourselves: the fixed app as `consentgate serve` runs it, walked in Chromium, comes out clean.

The product obeys its own law: what `consentgate audit` finds nothing wrong with on paper
(`examples/seed-case/fixed.yaml`), `consentgate observe` must find nothing wrong with in the browser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.observe.conftest import _Servers
from tests.runtime.conftest import SEED_FIXED, key_ring

__all__ = ["key_ring"]  # the served app gets the test key ring, as the runtime tests do

register_all()
pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium")

CATALOG = Path(__file__).resolve().parents[3] / "examples" / "demo-app" / "lessons.yaml"


@pytest.fixture(scope="module")
def ours(servers: _Servers, tmp_path_factory: pytest.TempPathFactory) -> str:
    database = tmp_path_factory.mktemp("ours") / "observed.db"
    service = create_app(
        Settings(
            manifest=SEED_FIXED, database_url=f"sqlite:///{database}", catalog=CATALOG, demo_tenant="demo"
        )
    )
    return servers.serve(service, "127.0.0.1", lifespan="on") + "/demo/welcome"


def _observe(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["observe", *args, "--json", "-"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("device", [None, "iPhone 13"], ids=["desktop", "phone"])
def test_our_fixed_app_observed_in_a_browser_has_nothing_at_medium_or_above(
    ours: str, device: str | None
) -> None:
    code, report = _observe(ours, "--against", str(SEED_FIXED), *(("--device", device) if device else ()))
    manifest = report["manifests"][0]
    assert not manifest["errors"], manifest["errors"]
    serious = [(f["rule_id"], f["message"]["en"]) for f in manifest["findings"] if f["severity"] != "low"]
    assert serious == [] and code == 0
