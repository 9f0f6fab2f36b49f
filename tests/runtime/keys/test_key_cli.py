"""`consentgate key …`: files of mode 0600, never overwritten, never a key on screen; retired rows forgotten."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.runtime.engine import Engine
from consentgate.runtime.keys import ENV_KEYS, FileKeyProvider, KeyEntry, KeyRing, StaticKeyProvider
from consentgate.text import Text
from tests.runtime.conftest import SEED_FIXED

register_all()
OFFER = Text(zh="优惠", en="Offer")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["key", *args])
    return result.exit_code, result.output


def _secrets(path: Path) -> list[str]:
    return [entry.text().rpartition(":")[2] for entry in FileKeyProvider(path).keyring()]


def test_create_rotate_list_retire(tmp_path: Path) -> None:
    path = tmp_path / "consentgate.keys"
    code, output = run("create", "--out", str(path))
    assert code == 0, output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "CONSENTGATE_KEY_FILE" in output
    first = FileKeyProvider(path).keyring()
    assert [e.version for e in first] == ["v1"]

    code, output = run("rotate", "--file", str(path))
    assert code == 0, output
    rotated = FileKeyProvider(path).keyring()
    assert [e.version for e in rotated] == ["v2", "v1"] and rotated.entries[1] == first.current
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    code, output = run("list", "--file", str(path))
    assert code == 0 and output.index("v2") < output.index("v1") and "current" in output and "现行" in output

    code, output = run("retire", "--file", str(path), "--id", "v1")
    assert code == 0, output
    assert [e.version for e in FileKeyProvider(path).keyring()] == ["v2"]
    assert [p.name for p in tmp_path.iterdir()] == ["consentgate.keys"]  # no temporary file left
    every_output = output
    for secret in _secrets(path):
        assert secret not in every_output


def test_mistakes_are_refused_in_both_languages_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "k"
    assert run("create", "--out", str(path))[0] == 0
    before = path.read_bytes()
    code, output = run("create", "--out", str(path))
    assert code == 2 and "[keys.file_exists]" in output and "从不覆盖" in output
    assert path.read_bytes() == before  # never overwritten
    code, output = run("retire", "--file", str(path), "--id", "v1")
    assert code == 2 and "[keys.retire_current]" in output
    code, output = run("retire", "--file", str(path), "--id", "v9")
    assert code == 2 and "v9" in output
    path.chmod(0o644)
    code, output = run("rotate", "--file", str(path))
    assert code == 2 and "[keys.file_unsafe]" in output and "chmod 600" in output
    assert path.read_bytes() == before
    assert "Traceback" not in output


def test_forget_retired_deletes_only_what_no_live_version_reaches(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1, v2 = KeyEntry("v1", bytes(range(32))), KeyEntry("v2", bytes(range(50, 82)))
    with Engine.from_manifest(
        SEED_FIXED, create=True, database_url=database_url, keys=StaticKeyProvider(KeyRing((v1,)))
    ) as e:
        e.consent.register_subject("old")
        e.messaging.register_address("old", "sms", "13800000001")
    with Engine.from_manifest(
        SEED_FIXED, create=True, database_url=database_url, keys=StaticKeyProvider(KeyRing((v2, v1)))
    ) as e:
        e.consent.register_subject("new")
        e.messaging.register_address("new", "sms", "13800000002")
    monkeypatch.setenv(ENV_KEYS, v2.text())  # v1 retired
    result = CliRunner().invoke(
        app, ["key", "forget-retired", "-m", str(SEED_FIXED), "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    assert "messaging_subject_addresses: 2" in result.output  # old's only row and new's v1 copy
    with Engine.from_manifest(SEED_FIXED, create=True, database_url=database_url) as e:
        assert e.messaging.send_to_address("13800000002", channel="sms", text=OFFER).subject == "new"
        assert e.messaging.send_to_address("13800000001", channel="sms", text=OFFER).subject is None


def test_create_makes_a_missing_folder_for_the_owner_alone(tmp_path: Path) -> None:
    path = tmp_path / "etc" / "consentgate" / "keys"  # as README's `--out /etc/consentgate/keys`
    code, output = run("create", "--out", str(path))
    assert code == 0, output
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_create_where_no_file_can_be_written_is_a_bilingual_error_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    code, output = run("create", "--out", str(blocker / "keys"))
    assert code == 2, output
    assert "无法写入密钥文件" in output and "cannot write the key file" in output
    assert "Traceback" not in output
