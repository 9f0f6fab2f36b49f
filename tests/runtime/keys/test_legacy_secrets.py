"""A database from before keys left it: migration 0011 refuses it while it stores a secret, `consentgate
key export-legacy` moves the secrets to a key file once, and what the old secret hashed is still found."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.runtime.engine import Engine
from consentgate.runtime.keys import FileKeyProvider, StoredSecretsFound
from consentgate.store.database import Database
from consentgate.store.migrate import current_revision, upgrade
from consentgate.text import Text
from tests.runtime.conftest import SEED_FIXED

register_all()
TENANT = "seed-app"
OWNER, FRIEND = "13800000011", "13800000022"


def _old_hash(secret: bytes, phone: str) -> str:
    """What the releases before 0011 stored: HMAC under HMAC(secret, "consentgate:address-book")."""
    key = hmac.new(secret, b"consentgate:address-book", hashlib.sha256).digest()
    return hmac.new(key, f"tel:+86{phone}".encode(), hashlib.sha256).hexdigest()


def _old_database(url: str) -> bytes:
    """A database at 0010 holding a stored secret, the owner's own address and an address book."""
    secret = secrets.token_bytes(32)
    database = Database(url)
    try:
        upgrade(database, "0010_api_keys")
        now = datetime(2026, 1, 5, tzinfo=UTC)
        with database.transaction() as session:
            session.execute(
                text("INSERT INTO sharing_secrets VALUES (:t, :s, :now)"),
                {"t": TENANT, "s": secret.hex(), "now": now},
            )
            for subject in (OWNER, FRIEND):
                session.execute(
                    text("INSERT INTO messaging_subject_addresses VALUES (:t, :s, 'sms', :h, :now)"),
                    {"t": TENANT, "s": subject, "h": _old_hash(secret, subject), "now": now},
                )
            session.execute(
                text("INSERT INTO address_book_entries VALUES (:t, :o, :h, :now)"),
                {"t": TENANT, "o": OWNER, "h": _old_hash(secret, FRIEND), "now": now},
            )
    finally:
        database.dispose()
    return secret


def _export(url: str, out: Path) -> str:
    result = CliRunner().invoke(app, ["key", "export-legacy", "--out", str(out), "--database-url", url])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_stored_secret_is_refused_then_exported_once_and_what_it_made_is_still_found(
    database_url: str, tmp_path: Path
) -> None:
    secret = _old_database(database_url)
    database = Database(database_url)
    try:
        with pytest.raises(StoredSecretsFound) as refused:
            upgrade(database)
        assert refused.value.code == "keys.stored_secrets" and "export-legacy" in refused.value.text.zh
        assert current_revision(database.engine) == "0010_api_keys"  # nothing half-done

        out = tmp_path / "keys"
        assert "legacy" in _export(database_url, out)
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        ring = FileKeyProvider(out).keyring()
        legacy = [e for e in ring if e.legacy]
        assert [(e.version, e.tenant, e.material) for e in legacy] == [("legacy", TENANT, secret)]
        assert not ring.current.legacy
        with database.reading() as session:
            assert session.execute(text("SELECT count(*) FROM sharing_secrets")).scalar_one() == 0
        assert "nothing to export" in _export(database_url, out)  # once is enough; the file is kept

        upgrade(database)
        with database.reading() as session:
            tables = set(database.engine.dialect.get_table_names(session.connection()))
        assert "sharing_secrets" not in tables
    finally:
        database.dispose()

    with Engine.from_manifest(
        SEED_FIXED, create=True, database_url=database_url, tenant=TENANT, keys=FileKeyProvider(out)
    ) as engine:
        for subject in (OWNER, FRIEND):
            engine.consent.register_subject(subject)
        assert [f.subject for f in engine.messaging.find_friends(OWNER)] == [FRIEND]
        found = engine.messaging.send_to_address(FRIEND, channel="sms", text=Text(zh="优惠", en="Offer"))
        assert found.subject == FRIEND  # the old hash, looked up with the exported secret
        # A new upload is hashed under the new master key and the legacy one alike.
        engine.messaging.upload_address_book(FRIEND, [OWNER])
        assert [f.subject for f in engine.messaging.find_friends(FRIEND)] == [OWNER]
