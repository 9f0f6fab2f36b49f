"""The runtime commands: db upgrade, consent give|withdraw|show|rebuild, decide — and their errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all

FIXED = str(Path(__file__).parents[2] / "examples" / "seed-case" / "fixed.yaml")
AS_FOUND = str(Path(__file__).parents[2] / "examples" / "seed-case" / "as-found.yaml")

register_all()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def common(database_url: str) -> list[str]:
    code, output = run("db", "upgrade", "--database-url", database_url)  # only it makes a database
    assert code == 0, output
    return ["--manifest", FIXED, "--database-url", database_url]


def test_db_upgrade_is_idempotent(database_url: str) -> None:
    for _ in range(2):
        code, output = run("db", "upgrade", "--database-url", database_url)
        assert code == 0, output
        assert "OK" in output


def test_give_decide_withdraw_decide(common: list[str]) -> None:
    code, output = run("decide", *common, "--subject", "u1", "--purpose", "marketing-sms", "--data", "phone")
    assert code == 2 and "u1" in output  # the subject is not known yet: a typed error, not a denial
    code, output = run("consent", "give", *common, "--subject", "u1", "--purpose", "marketing-sms")
    assert code == 0, output
    code, output = run("decide", *common, "--subject", "u1", "--purpose", "marketing-sms", "--data", "phone")
    assert code == 0 and "ALLOWED" in output, output
    code, output = run("consent", "withdraw", *common, "--subject", "u1", "--purpose", "marketing-sms")
    assert code == 0, output
    code, output = run(
        "decide", *common, "--subject", "u1", "--purpose", "marketing-sms", "--data", "phone", "--lang", "en"
    )
    assert code == 1 and "DENIED" in output, output


def test_show_lists_current_state_and_exports_records(common: list[str]) -> None:
    run("consent", "give", *common, "--subject", "u2", "--purpose", "personalized-push")
    code, output = run("consent", "show", *common, "--subject", "u2")
    assert code == 0 and "personalized" in output and "given" in output, output
    code, output = run("consent", "show", *common, "--subject", "u2", "--json")
    assert code == 0
    records = json.loads(output)
    assert records and any("personalized-push" in json.dumps(r) for r in records)


def test_rebuild_reports_the_events_it_folded(common: list[str]) -> None:
    run("consent", "give", *common, "--subject", "u3", "--purpose", "marketing-sms")
    run("consent", "withdraw", *common, "--subject", "u3", "--purpose", "marketing-sms")
    code, output = run("consent", "rebuild", *common)
    assert code == 0 and "2 events" in output, output


def test_unknown_purpose_is_a_bilingual_error(common: list[str]) -> None:
    code, output = run("consent", "give", *common, "--subject", "u4", "--purpose", "marketing-smss")
    assert code == 2
    assert "marketing-sms" in output  # did you mean
    assert "未知" in output and "unknown" in output.lower()
    assert "Traceback" not in output


def test_an_unlawful_manifest_is_refused_at_start(database_url: str) -> None:
    code, output = run(
        "consent",
        "give",
        "--manifest",
        AS_FOUND,
        "--database-url",
        database_url,
        "-s",
        "u",
        "-p",
        "marketing-sms",
    )
    assert code == 2
    assert "拒绝启动" in output and "refusing to start" in output


def test_an_unreachable_database_is_a_bilingual_error() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    code, output = run("db", "upgrade", "--database-url", url)
    assert code == 2
    assert "无法使用" in output and "cannot use the database" in output
    assert "Traceback" not in output
