"""Where keys come from: the environment, a key file, the file beside an SQLite database — never the
database itself — and a server database refuses to start without one."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.runtime.engine import Engine
from consentgate.runtime.keys import (
    ENV_KEY_FILE,
    ENV_KEYS,
    FileKeyProvider,
    KeyFileUnreadable,
    KeyFileUnsafe,
    KeyRing,
    KeysMissing,
    new_entry,
    resolve_provider,
)
from consentgate.runtime.keys.keyfile import write_key_file
from tests.runtime.conftest import SEED_FIXED

register_all()
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/nowhere"


def ring_file(path: Path) -> KeyRing:
    ring = KeyRing((new_entry("v1"),))
    write_key_file(path, ring, replace=False)
    return ring


def test_the_environment_comes_first_then_the_key_file(tmp_path: Path, key_ring: KeyRing) -> None:
    from_file = ring_file(tmp_path / "k")
    env = {ENV_KEYS: ",".join(e.text() for e in key_ring), ENV_KEY_FILE: str(tmp_path / "k")}
    assert resolve_provider(PG, env).keyring() == key_ring
    assert resolve_provider(PG, {ENV_KEY_FILE: str(tmp_path / "k")}).keyring() == from_file


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    ring_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o640)
    with pytest.raises(KeyFileUnsafe) as unsafe:
        FileKeyProvider(path)
    assert unsafe.value.code == "keys.file_unsafe" and "chmod 600" in unsafe.value.text.zh
    with pytest.raises(KeyFileUnreadable):
        FileKeyProvider(tmp_path / "missing")


def test_an_sqlite_file_gets_a_key_file_beside_it_once_and_keeps_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    first = resolve_provider(url, {}).keyring()
    sidecar = tmp_path / "app.db.keys"
    assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600
    assert resolve_provider(url, {}).keyring() == first  # the second start reads the same key
    assert [p.name for p in tmp_path.iterdir()] == ["app.db.keys"]  # no stray temporary file


def test_an_in_memory_database_gets_a_key_that_dies_with_it() -> None:
    one, two = (
        resolve_provider("sqlite://", {}).keyring(),
        resolve_provider("sqlite:///:memory:", {}).keyring(),
    )
    assert one.current.material != two.current.material


def test_a_server_database_without_a_key_is_refused_with_both_languages() -> None:
    with pytest.raises(KeysMissing) as missing:
        resolve_provider("postgresql+psycopg://app:s3cret@db.example/app", {})
    text = missing.value.text
    assert missing.value.code == "keys.missing"
    assert ENV_KEYS in text.zh and ENV_KEY_FILE in text.en and "consentgate key create" in text.en
    assert "s3cret" not in text.zh + text.en  # the URL's password is not repeated


def test_the_engine_and_the_cli_refuse_a_server_database_before_touching_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if make_url(database_url).get_backend_name() == "sqlite":
        pytest.skip("an SQLite file has its embedded key file")
    monkeypatch.delenv(ENV_KEYS)
    with pytest.raises(KeysMissing):
        Engine.from_manifest(SEED_FIXED, create=True, database_url=database_url)
    result = CliRunner().invoke(
        app, ["consent", "show", "-m", str(SEED_FIXED), "--database-url", database_url, "-s", "u"]
    )
    assert result.exit_code == 2 and "[keys.missing]" in result.output
    assert "CONSENTGATE_KEYS" in result.output and "服务器数据库不得保存自身的密钥" in result.output
    assert "Traceback" not in result.output


def test_an_engine_on_sqlite_needs_no_set_up_and_keeps_the_key_out_of_the_database_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_KEYS)
    database = tmp_path / "consentgate.db"
    with Engine.from_manifest(SEED_FIXED, create=True, database_url=f"sqlite:///{database}") as engine:
        engine.consent.register_subject("u1")
        engine.messaging.register_address("u1", "sms", "13800138000")
        engine.database.scrub()
    key = FileKeyProvider(tmp_path / "consentgate.db.keys").keyring().current.material
    held = b"".join(p.read_bytes() for p in tmp_path.iterdir() if not p.name.endswith(".keys"))
    assert key not in held and key.hex().encode() not in held
    assert (tmp_path / "consentgate.db.keys").stat().st_mode & 0o077 == 0


def test_serve_refuses_a_server_database_without_a_key_before_listening(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `serve` writes these into the environment for its workers: set them here so they are undone.
    for variable, value in (
        ("CONSENTGATE_MANIFEST", str(SEED_FIXED)),
        ("CONSENTGATE_DATABASE_URL", PG),
        ("CONSENTGATE_SESSION_SECRET", "s"),
    ):
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv(ENV_KEYS)
    result = CliRunner().invoke(app, ["serve", "--manifest", str(SEED_FIXED), "--database-url", PG])
    assert result.exit_code == 2 and "[keys.missing]" in result.output and "Traceback" not in result.output
