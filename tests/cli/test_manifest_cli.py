"""`consentgate schema | init | validate`: start a manifest, and know it loads, before auditing it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner, Result

from consentgate.audit.engine import evaluate
from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.manifest.loader import load_manifest

register_all()

SEED = Path(__file__).parents[2] / "examples" / "seed-case" / "as-found.yaml"


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_schema_is_json_schema_with_id() -> None:
    result = _run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["$id"]
    assert set(schema["properties"]) >= {"app", "data", "purposes", "onboarding", "rights"}


def test_init_writes_a_starter_that_validates_and_audits_clean(tmp_path: Path) -> None:
    output = tmp_path / "consentgate.yaml"
    result = _run("init", "--type", "learning-education", "--output", str(output))
    assert result.exit_code == 0, result.output
    assert str(output) in result.output
    loaded = load_manifest(output)
    assert [d.category for d in loaded.manifest.data] == ["contact.phone"]
    assert evaluate(loaded) == []
    assert _run("validate", str(output)).exit_code == 0


def test_init_defaults_to_consentgate_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _run("init", "--type", "news").exit_code == 0
    written = yaml.safe_load((tmp_path / "consentgate.yaml").read_text("utf-8"))
    assert written["app"]["type"] == "news"
    assert written["data"] == [] and written["onboarding"] == []


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    output = tmp_path / "consentgate.yaml"
    output.write_text("mine\n", "utf-8")
    result = _run("init", "--type", "learning-education", "--output", str(output))
    assert result.exit_code == 2
    assert "已存在" in result.output and "already exists" in result.output
    assert output.read_text("utf-8") == "mine\n"


def test_init_force_overwrites(tmp_path: Path) -> None:
    output = tmp_path / "consentgate.yaml"
    output.write_text("mine\n", "utf-8")
    result = _run("init", "--type", "online-shopping", "--output", str(output), "--force")
    assert result.exit_code == 0
    assert load_manifest(output).manifest.app.type == "online-shopping"


def test_init_unknown_type_suggests_the_closest(tmp_path: Path) -> None:
    output = tmp_path / "consentgate.yaml"
    result = _run("init", "--type", "online-shoping", "--output", str(output))
    assert result.exit_code == 2
    assert "未知的 App 类型“online-shoping”——您是否想写“online-shopping”" in result.output
    assert "unknown app type 'online-shoping' — did you mean 'online-shopping'" in result.output
    assert not output.exists()


def test_validate_reports_ok_in_both_languages() -> None:
    result = _run("validate", str(SEED))
    assert result.exit_code == 0
    assert "清单有效" in result.output
    assert "valid manifest" in result.output


def test_validate_one_language(tmp_path: Path) -> None:
    result = _run("validate", str(SEED), "--lang", "en")
    assert result.exit_code == 0
    assert "valid manifest" in result.output and "清单有效" not in result.output


def test_validate_fails_if_any_file_is_bad(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("app: {name: x, type: learning-education, colour: red}\n", "utf-8")
    result = _run("validate", str(SEED), str(bad))
    assert result.exit_code == 2
    assert "清单有效" in result.output  # the good one is still confirmed
    assert f"{bad}:1:42" in result.output
