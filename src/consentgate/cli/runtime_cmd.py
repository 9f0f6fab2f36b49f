"""Runtime commands: `db upgrade`, `consent give|withdraw|show|rebuild|export`, `decide`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from consentgate.cli.app import app, reported
from consentgate.i18n import message
from consentgate.runtime.consent.schemas import Mechanism
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import DatabaseUnavailable, UnknownNotice
from consentgate.store.database import database_url as resolve_database_url
from consentgate.store.opening import create_database, shown_url
from consentgate.text import Lang

db_app = typer.Typer(help="Database schema / 数据库结构", no_args_is_help=True)
consent_app = typer.Typer(help="The consent ledger / 同意记录", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(consent_app, name="consent")
out = Console(highlight=False, soft_wrap=True)

ManifestOpt = Annotated[
    Path,
    typer.Option("--manifest", "-m", envvar="CONSENTGATE_MANIFEST", help="Processing manifest / 处理清单"),
]
UrlOpt = Annotated[
    str | None,
    typer.Option("--database-url", envvar="CONSENTGATE_DATABASE_URL", help="Default: embedded SQLite file"),
]
TenantOpt = Annotated[str, typer.Option("--tenant", help="Tenant / 租户")]
SubjectOpt = Annotated[str, typer.Option("--subject", "-s", help="The person (subject id) / 个人标识")]
PurposeOpt = Annotated[str, typer.Option("--purpose", "-p", help="Purpose id / 处理目的")]
RecipientOpt = Annotated[str | None, typer.Option("--recipient", help="Recipient id (sharing) / 接收方")]
LangOpt = Annotated[str, typer.Option("--lang", help="zh or en")]


def _lang(value: str) -> Lang:
    return "en" if value == "en" else "zh"


@contextmanager
def open_engine(manifest: Path, url: str | None, tenant: str) -> Iterator[Engine]:
    """An engine on an existing database at the current schema (a missing or outdated one is refused,
    naming its URL: only `db upgrade` creates one); any consentgate or database error is a bilingual exit 2."""
    with reported(), unavailable_database_reported(url):
        engine = Engine.from_manifest(manifest, database_url=url, tenant=tenant)
        try:
            yield engine
        finally:
            engine.close()


@contextmanager
def unavailable_database_reported(url: str | None) -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as error:
        raise DatabaseUnavailable.from_key(
            "runtime.database_unavailable",
            url=shown_url(resolve_database_url(url)),
            problem=error.__class__.__name__,
        ) from None


def _items(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


@db_app.command("upgrade")
def db_upgrade(database_url: UrlOpt = None) -> None:
    """Create the database if missing and bring it to the current schema; the only command that creates one / 创建并升级数据库结构（唯一会新建数据库的命令）。"""
    url = resolve_database_url(database_url)
    with reported(), unavailable_database_reported(database_url):
        create_database(url).dispose()
    out.print(message("store.upgraded", url=shown_url(url)).bilingual(), markup=False)


@consent_app.command("give")
def consent_give(
    manifest: ManifestOpt,
    subject: SubjectOpt,
    purpose: PurposeOpt,
    recipient: RecipientOpt = None,
    data: Annotated[str, typer.Option(help="Data ids, comma separated (default: all of the purpose)")] = "",
    notice: Annotated[
        str | None, typer.Option(help="Notice id shown (default: the one covering the purpose)")
    ] = None,
    database_url: UrlOpt = None,
    tenant: TenantOpt = "default",
) -> None:
    """Record that the subject gave consent / 记录个人的同意。"""
    with open_engine(manifest, database_url, tenant) as engine:
        notice_id = notice or _notice_for(engine, purpose)
        shown = engine.notices.current(notice_id)
        if shown is None:
            raise UnknownNotice.from_key("runtime.unknown_notice", notice=notice_id, version="current")
        policy = engine.policy.purposes.get(purpose)
        engine.consent.register_subject(subject)
        event = engine.consent.give(
            subject,
            purpose,
            notice_id=shown.notice_id,
            notice_version=shown.version,
            data=_items(data) or (tuple(sorted(policy.data)) if policy else ()),
            recipient=recipient,
            mechanism=Mechanism.SEPARATE if recipient else Mechanism.SETTINGS,
        )
    out.print(f"OK {event.kind.value} {event.event_id} seq={event.seq}", markup=False)


@consent_app.command("withdraw")
def consent_withdraw(
    manifest: ManifestOpt,
    subject: SubjectOpt,
    purpose: PurposeOpt,
    recipient: RecipientOpt = None,
    database_url: UrlOpt = None,
    tenant: TenantOpt = "default",
) -> None:
    """Record a withdrawal; it takes effect on the next decision / 撤回同意，下一次判定即生效。"""
    with open_engine(manifest, database_url, tenant) as engine:
        event = engine.consent.withdraw(subject, purpose, recipient=recipient)
    out.print(f"OK {event.kind.value} {event.event_id} seq={event.seq}", markup=False)


@consent_app.command("show")
def consent_show(
    manifest: ManifestOpt,
    subject: SubjectOpt,
    database_url: UrlOpt = None,
    tenant: TenantOpt = "default",
    as_json: Annotated[bool, typer.Option("--json", help="ISO/IEC 27560-style records")] = False,
) -> None:
    """Show a subject's current consents / 查看个人当前的同意状态。"""
    with open_engine(manifest, database_url, tenant) as engine:
        if as_json:
            typer.echo(json.dumps(engine.consent.export_records(subject), ensure_ascii=False, indent=2))
            return
        facts = engine.consent.facts(subject)
    table = Table(title=f"{subject}")
    for column in ("purpose / 目的", "recipient / 接收方", "status / 状态", "notice / 告知", "event / 事件"):
        table.add_column(column, overflow="fold")
    for (purpose, recipient), fact in sorted(facts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        table.add_row(
            purpose,
            recipient or "—",
            fact.status.value,
            f"{fact.notice_id or '—'} {fact.notice_version or ''}",
            fact.event_id,
        )
    out.print(table)


@consent_app.command("rebuild")
def consent_rebuild(
    manifest: ManifestOpt, database_url: UrlOpt = None, tenant: TenantOpt = "default"
) -> None:
    """Rebuild the consent projection from the events / 由事件重建当前同意状态。"""
    with open_engine(manifest, database_url, tenant) as engine:
        count = engine.consent.rebuild()
    out.print(f"OK: {count} events folded / 已折叠 {count} 个事件", markup=False)


@app.command("decide")
def decide(
    manifest: ManifestOpt,
    subject: SubjectOpt,
    purpose: PurposeOpt,
    data: Annotated[str, typer.Option(help="Data ids, comma separated / 数据项，逗号分隔")],
    recipient: RecipientOpt = None,
    database_url: UrlOpt = None,
    tenant: TenantOpt = "default",
    lang: LangOpt = "zh",
) -> None:
    """Ask the gate: may this processing happen now? Exit 0 allowed, 1 denied / 询问处理是否被允许。"""
    with open_engine(manifest, database_url, tenant) as engine:
        decision = engine.gate.decide(subject, purpose, _items(data), recipient)
    verdict = "ALLOWED / 允许" if decision.allowed else "DENIED / 拒绝"
    out.print(f"{verdict}  [{decision.reason_code}]", markup=False)
    out.print(decision.message.in_(_lang(lang)), markup=False)
    out.print("  " + ", ".join(decision.citations), markup=False)
    raise typer.Exit(0 if decision.allowed else 1)


def _notice_for(engine: Engine, purpose: str) -> str:
    """The notice that covers the purpose (the first one listing it, or one covering all)."""
    for notice in engine.manifest.notices:
        if not notice.purposes or purpose in notice.purposes:
            return notice.id
    return ""
