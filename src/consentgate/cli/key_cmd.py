"""`consentgate key create|rotate|retire|list|forget-retired|export-legacy`: the keys that keep hashes irreversible.

A key file holds a key ring (`runtime/keys/ring.py`): the first version is current, the others only
look up what they made. Every file is written atomically with mode 0600, and `create` never
overwrites one. No command ever prints a key. docs/keys.md says when to run which.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import inspect, text

from consentgate.cli.app import app, reported
from consentgate.cli.runtime_cmd import (
    ManifestOpt,
    TenantOpt,
    UrlOpt,
    open_engine,
    unavailable_database_reported,
)
from consentgate.i18n import message
from consentgate.runtime.keys.derive import ADDRESS_BOOK
from consentgate.runtime.keys.errors import CannotRetireCurrent, UnknownKeyVersion
from consentgate.runtime.keys.keyfile import read_key_file, write_key_file
from consentgate.runtime.keys.providers import ENV_KEY_FILE
from consentgate.runtime.keys.ring import KeyEntry, KeyRing, new_entry
from consentgate.store.database import Database
from consentgate.store.database import database_url as resolve_database_url
from consentgate.store.opening import open_database

key_app = typer.Typer(help="Keys of hashes and pseudonyms / 哈希与假名的密钥", no_args_is_help=True)
app.add_typer(key_app, name="key")
err = Console(stderr=True, highlight=False, soft_wrap=True)

FileOpt = Annotated[Path, typer.Option("--file", envvar=ENV_KEY_FILE, help="Key file / 密钥文件")]
IdOpt = Annotated[str | None, typer.Option("--id", help="Version id (default: next vN) / 版本号")]
LEGACY_VERSION = "legacy"  # what migration 0011 marks the rows made with a stored secret


def _say(key: str, **values: object) -> None:
    err.print(message(key, **values).bilingual(), markup=False)


@key_app.command("create")
def create(
    out: Annotated[Path, typer.Option("--out", help="New key file (never overwritten) / 新密钥文件")],
    version: IdOpt = None,
) -> None:
    """Make a key file with one new random key / 生成新的密钥文件。"""
    with reported():
        entry = new_entry(version or "v1")
        write_key_file(out, KeyRing((entry,)), replace=False)
    _say("keys.cli.created", version=entry.version, path=out)


@key_app.command("rotate")
def rotate(file: FileOpt, version: IdOpt = None) -> None:
    """Add a new current version; older ones keep looking up / 新增现行版本。"""
    with reported():
        ring = read_key_file(file)
        rotated = ring.with_new_current(version)
        write_key_file(file, rotated, replace=True)
    older = ", ".join(e.version for e in ring)
    _say("keys.cli.rotated", path=file, version=rotated.current.version, older=older)


@key_app.command("retire")
def retire(
    file: FileOpt,
    version: Annotated[str, typer.Option("--id", help="Version to retire / 要停用的版本")],
) -> None:
    """Remove an old version: what only it made can no longer be looked up / 停用旧版本。"""
    with reported():
        ring = read_key_file(file)
        known = ", ".join(e.version for e in ring)
        if ring.current.version == version:
            raise CannotRetireCurrent.from_key("keys.retire_current", version=version)
        if all(e.version != version for e in ring):
            raise UnknownKeyVersion.from_key("keys.no_such_version", path=file, version=version, known=known)
        kept = ring.without(version)
        write_key_file(file, kept, replace=True)
    _say("keys.cli.retired", path=file, version=version, known=", ".join(e.version for e in kept))


@key_app.command("list")
def list_versions(file: FileOpt) -> None:
    """The versions in a key file and what each is for, never a key / 列出密钥版本。"""
    with reported():
        ring = read_key_file(file)
    for position, entry in enumerate(ring):
        role = "keys.cli.role_current" if position == 0 else "keys.cli.role_lookup"
        if entry.legacy:
            role = "keys.cli.role_legacy"
        scope = f"@{entry.tenant}" if entry.tenant is not None else ""
        typer.echo(
            message("keys.cli.listed", version=entry.version, scope=scope, role=message(role)).bilingual()
        )


@key_app.command("forget-retired")
def forget_retired(manifest: ManifestOpt, database_url: UrlOpt = None, tenant: TenantOpt = "default") -> None:
    """Delete the contact hashes of versions the key ring no longer holds / 删除已停用版本的联系方式哈希。"""
    with open_engine(manifest, database_url, tenant) as engine:
        removed = engine.messaging.forget_retired_key_versions()
    live = ", ".join(engine.keys.for_use(ADDRESS_BOOK).versions)
    counts = ", ".join(f"{table}: {count}" for table, count in removed.items())
    _say("keys.cli.forgotten", tenant=tenant, live=live, counts=counts)


@key_app.command("export-legacy")
def export_legacy(
    out: Annotated[Path, typer.Option("--out", help="Key file to write or extend / 写入或扩充的密钥文件")],
    database_url: UrlOpt = None,
) -> None:
    """Move the secrets an older release kept in the database to a key file, once / 将旧版保存在数据库中的密钥移入密钥文件。"""
    with reported(), unavailable_database_reported(database_url):
        # Any schema (an older release's is the point), but never a database made by a typo.
        database = open_database(resolve_database_url(database_url), require_current=False)
        try:
            stored = _stored_secrets(database)
            if not stored:
                _say("keys.cli.nothing_to_export")
                return
            ring = read_key_file(out) if out.exists() else KeyRing((new_entry(),))
            have = {(e.tenant, e.material) for e in ring}
            added = [
                KeyEntry(LEGACY_VERSION, bytes.fromhex(secret), tenant)
                for tenant, secret in stored
                if (tenant, bytes.fromhex(secret)) not in have
            ]
            write_key_file(out, KeyRing((*ring.entries, *added)), replace=out.exists())
            # Only once the file is on disk (written and synced) do the secrets leave the database.
            with database.transaction() as session:
                session.execute(text("DELETE FROM sharing_secrets"))
        finally:
            database.dispose()
    _say("keys.cli.exported", count=len(stored), path=out)


def _stored_secrets(database: Database) -> list[tuple[str, str]]:
    """(tenant, hex secret) of every tenant, from a database not yet at migration 0011."""
    if "sharing_secrets" not in inspect(database.engine).get_table_names():
        return []
    with database.reading() as session:
        rows = session.execute(text("SELECT tenant_id, secret FROM sharing_secrets ORDER BY tenant_id"))
        return [(tenant, secret) for tenant, secret in rows.tuples()]
