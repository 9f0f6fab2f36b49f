"""`consentgate apikey create|list|revoke`: the keys callers of the HTTP service present.

The commands need no manifest. They open an existing database at the current schema and refuse a
missing or outdated one (run `consentgate db upgrade` first: only it creates a database). `create` writes the
token alone on stdout (so `consentgate apikey create … > key.txt` captures exactly it) and what it
is, with the warning that it is never shown again, on stderr. Every mistake is a typed error printed
in zh and en, exit 2. Text lives in the i18n catalogs under `apikeys.cli.`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console

from consentgate.cli.app import app, reported
from consentgate.cli.runtime_cmd import UrlOpt, unavailable_database_reported
from consentgate.i18n import message
from consentgate.runtime.apikeys.schemas import KeyInfo, Scope, parse_scopes
from consentgate.runtime.apikeys.service import CACHE_TTL, ApiKeyService
from consentgate.runtime.ports import SystemClock
from consentgate.store.database import database_url as resolve_database_url
from consentgate.store.opening import open_database

apikey_app = typer.Typer(help="API keys of the HTTP service / HTTP 服务的 API 密钥", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

TenantReq = Annotated[str, typer.Option("--tenant", help="Tenant the key acts for / 密钥所属租户")]
_SCOPES = ", ".join(scope.value for scope in Scope)


@contextmanager
def open_keys(url: str | None) -> Iterator[ApiKeyService]:
    """The key service on an existing, current database; any consentgate or database error is a bilingual exit 2."""
    with reported(), unavailable_database_reported(url):
        database = open_database(resolve_database_url(url))
        try:
            yield ApiKeyService(database, clock=SystemClock())
        finally:
            database.dispose()


def _both(key: str, **values: object) -> str:
    return message(key, **values).bilingual()


@apikey_app.command("create")
def create(
    tenant: TenantReq,
    name: Annotated[str, typer.Option("--name", help="Who or what uses the key / 使用者说明")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help=f"Repeatable: {_SCOPES} / 权限范围，可重复")
    ] = None,
    database_url: UrlOpt = None,
) -> None:
    """Create a key; its token is printed this once and never again / 创建密钥（仅显示一次）。"""
    with reported():
        scopes = parse_scopes(scope or ())  # a typo fails before the database is touched
    with open_keys(database_url) as keys:
        issued = keys.create(tenant, name, scopes)
    shown = ", ".join(sorted(s.value for s in issued.scopes))
    err.print(_both("apikeys.cli.created", key_id=issued.key_id, tenant=tenant, scopes=shown), markup=False)
    err.print(_both("apikeys.cli.shown_once"), markup=False)
    out.print(issued.token, markup=False)


@apikey_app.command("list")
def list_keys(tenant: TenantReq, database_url: UrlOpt = None) -> None:
    """List the tenant's keys, revoked ones included; never a secret / 列出租户的密钥。"""
    with open_keys(database_url) as keys:
        found = keys.list(tenant)
    if not found:
        out.print(_both("apikeys.cli.none", tenant=tenant), markup=False)
        return
    out.print(_both("apikeys.cli.header"), markup=False)
    for info in found:
        out.print(_line(info), markup=False)


@apikey_app.command("revoke")
def revoke(
    tenant: TenantReq,
    key_id: Annotated[str, typer.Argument(help="The key id (cgk_…) / 密钥编号")],
    database_url: UrlOpt = None,
) -> None:
    """Revoke a key: running services refuse it within seconds / 吊销密钥。"""
    with open_keys(database_url) as keys:
        info = keys.revoke(tenant, key_id)
    at = _when(info.revoked_at)
    seconds = int(CACHE_TTL.total_seconds())
    out.print(
        _both("apikeys.cli.revoked", key_id=key_id, tenant=tenant, at=at, seconds=seconds), markup=False
    )


def _line(info: KeyInfo) -> str:
    scopes = ",".join(sorted(s.value for s in info.scopes))
    revoked = _when(info.revoked_at) if info.revoked else _both("apikeys.cli.active")
    parts = [info.key_id, info.name, scopes, _when(info.created_at), _when(info.last_used_at), revoked]
    return "  ".join(parts)


def _when(moment: datetime | None) -> str:
    return _both("apikeys.cli.never") if moment is None else moment.isoformat(timespec="seconds")
