"""`consentgate apikey create|list|revoke` on SQLite and PostgreSQL, and every error they report."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner, Result

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.runtime.apikeys.errors import RevokedApiKey
from consentgate.runtime.apikeys.schemas import Principal, Scope
from consentgate.runtime.apikeys.service import ApiKeyService
from consentgate.runtime.ports import SystemClock
from consentgate.store.database import Database
from consentgate.store.opening import create_database

register_all()

CHINESE = re.compile(r"[\u4e00-\u9fff]")
TOKEN = re.compile(r"cgk_[a-z2-7]{12}\.[A-Za-z0-9_-]{43}")


@pytest.fixture
def database_url(database_url: str) -> str:
    """The database `consentgate db upgrade` made: the key commands create none."""
    create_database(database_url).dispose()
    return database_url


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def create(url: str, tenant: str = "shop", *scopes: str) -> str:
    """Creates a key through the CLI and returns the token it printed."""
    flags = [part for scope in scopes or ("app-backend",) for part in ("--scope", scope)]
    result = run(
        "apikey", "create", "--tenant", tenant, "--name", "shop backend", *flags, "--database-url", url
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def verify(url: str, token: str) -> Principal:
    """What a fresh service (nothing cached) makes of `token`."""
    database = Database(url)
    try:
        return ApiKeyService(database, clock=SystemClock()).verify(token)
    finally:
        database.dispose()


def assert_bilingual_error(result: Result, error_code: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.startswith(f"[{error_code}]")]
    assert len(lines) == 2, result.output  # once in zh, once in en
    assert CHINESE.search(lines[0]) and not CHINESE.search(lines[1]), result.output
    assert "Traceback" not in result.output


def test_create_prints_only_the_token_on_stdout_and_warns_it_is_shown_once(database_url: str) -> None:
    result = run(
        "apikey", "create", "--tenant", "shop", "--name", "ops", "--scope", "admin",
        "--scope", "read-only", "--database-url", database_url,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert TOKEN.fullmatch(token), result.stdout
    key_id = token.partition(".")[0]
    assert token not in result.stderr
    assert key_id in result.stderr and "只显示这一次" in result.stderr and "shown this once" in result.stderr
    caller = verify(database_url, token)
    assert (caller.tenant, caller.key_id, caller.name) == ("shop", key_id, "ops")
    assert caller.scopes == {Scope.ADMIN, Scope.READ_ONLY}


def test_list_shows_the_tenants_keys_without_their_secrets(database_url: str) -> None:
    mine = create(database_url, "shop", "read-only")
    theirs = create(database_url, "other-shop")
    result = run("apikey", "list", "--tenant", "shop", "--database-url", database_url)
    assert result.exit_code == 0, result.output
    key_id, _, secret = mine.partition(".")
    assert key_id in result.stdout and "shop backend" in result.stdout and "read-only" in result.stdout
    assert secret not in result.output
    assert theirs.partition(".")[0] not in result.output
    assert "有效" in result.stdout and "active" in result.stdout


def test_list_of_a_tenant_without_keys_says_so(database_url: str) -> None:
    result = run("apikey", "list", "--tenant", "nobody", "--database-url", database_url)
    assert result.exit_code == 0, result.output
    assert "没有 API 密钥" in result.stdout and "has no API keys" in result.stdout


def test_revoke_refuses_the_key_from_then_on(database_url: str) -> None:
    token = create(database_url)
    key_id = token.partition(".")[0]
    result = run("apikey", "revoke", "--tenant", "shop", key_id, "--database-url", database_url)
    assert result.exit_code == 0, result.output
    assert key_id in result.stdout and "已吊销" in result.stdout and "revoked" in result.stdout
    with pytest.raises(RevokedApiKey):
        verify(database_url, token)
    listed = run("apikey", "list", "--tenant", "shop", "--database-url", database_url)
    assert "active" not in listed.stdout


def test_revoking_another_tenants_key_is_an_error_and_leaves_it_working(database_url: str) -> None:
    theirs = create(database_url, "other-shop")
    key_id = theirs.partition(".")[0]
    result = run("apikey", "revoke", "--tenant", "shop", key_id, "--database-url", database_url)
    assert_bilingual_error(result, "apikeys.unknown_key")
    assert verify(database_url, theirs).tenant == "other-shop"


def test_revoking_an_unknown_key_is_an_error(database_url: str) -> None:
    result = run("apikey", "revoke", "--tenant", "shop", "cgk_nosuchkey234", "--database-url", database_url)
    assert_bilingual_error(result, "apikeys.unknown_key")


@pytest.mark.parametrize(
    ("extra", "error_code"),
    [
        (["--name", "app", "--scope", "superuser"], "apikeys.unknown_scope"),
        (["--name", "app"], "apikeys.no_scopes"),
        (["--name", " ", "--scope", "admin"], "apikeys.bad_name"),
    ],
)
def test_create_with_a_bad_request_is_an_error_and_creates_nothing(
    database_url: str, extra: list[str], error_code: str
) -> None:
    result = run("apikey", "create", "--tenant", "shop", *extra, "--database-url", database_url)
    assert_bilingual_error(result, error_code)
    assert result.stdout == ""
    listed = run("apikey", "list", "--tenant", "shop", "--database-url", database_url)
    assert "has no API keys" in listed.stdout


def test_an_unreachable_database_is_an_error_not_a_traceback() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/nothing?connect_timeout=2"
    result = run("apikey", "list", "--tenant", "shop", "--database-url", url)
    assert_bilingual_error(result, "runtime.database_unavailable")
