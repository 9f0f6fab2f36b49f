"""`consentgate auditlog verify` and `anchor`: check every table that decides; export signed chain heads.

`verify` exits 0 when the chain, the ledger bound to it and the projection all agree (and, given
`--anchor`, every anchored chain is still as long as the anchor says), 1 when anything does not (each
wrong row named in zh and en), 2 when the database cannot be checked at all (unreachable, or not at
the current schema) or the anchor file cannot be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from consentgate.cli.app import app, fail
from consentgate.errors import ConsentgateError, UsageError
from consentgate.i18n import message
from consentgate.runtime.auditlog.anchor import Anchor, AnchorUnreadable, parse, read_heads, sign
from consentgate.runtime.auditlog.integrity import check_anchor, repair_projection, verify_tenant
from consentgate.runtime.auditlog.schemas import Finding, IntegrityReport, Problem
from consentgate.runtime.errors import DatabaseNotReady
from consentgate.runtime.keys.providers import resolve_provider
from consentgate.runtime.keys.ring import KeyRing
from consentgate.runtime.ports import SystemClock, Uuid7Ids
from consentgate.store.database import ENV_URL, Database, database_url
from consentgate.store.opening import open_database, shown_url
from consentgate.text import LANGS

auditlog_app = typer.Typer(help="The tamper-evident audit log / 防篡改审计日志", no_args_is_help=True)
app.add_typer(auditlog_app, name="auditlog")

EXIT_BROKEN = 1

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help=f"Database URL (default: ${ENV_URL}, else the embedded SQLite file) / 数据库地址",
    ),
]


def _open(url: str) -> Database:
    return open_database(url)  # never creates one: a missing file is refused before connecting


def _unreachable(url: str, error: SQLAlchemyError) -> DatabaseNotReady:
    reason = str(error).splitlines()[0] if str(error) else error.__class__.__name__
    return DatabaseNotReady.from_key("auditlog.database_unreachable", url=shown_url(url), reason=reason)


def verify_database(url: str, tenant: str) -> IntegrityReport:
    """Verifies one tenant's chain, ledger and projection; a database that cannot be checked is a
    typed error, never a traceback."""
    try:
        db = open_database(url)  # never creates one: a missing file is refused before connecting
        try:
            return verify_tenant(db, tenant)
        finally:
            db.dispose()
    except SQLAlchemyError as error:
        raise _unreachable(url, error) from None


def _problem_lines(problem: Problem, tenant: str, checked: int) -> list[str]:
    gone = message("auditlog.no_record_id")
    lines = []
    for lang in LANGS:
        lines.append(message("auditlog.broken", tenant=tenant, checked=checked).in_(lang))
        line = message(
            "auditlog.problem_line",
            kind=message(f"auditlog.kind.{problem.kind}"),
            seq=problem.seq,
            record_id=problem.record_id or gone,
            detail=problem.detail,
        )
        lines.append("  " + line.in_(lang))
    return lines


def _finding_lines(findings: tuple[Finding, ...] | list[Finding], total: int, tenant: str) -> list[str]:
    lines = []
    for lang in LANGS:
        lines.append(message("auditlog.integrity.broken", tenant=tenant, total=total).in_(lang))
        lines.extend(f"  [{f.table}] {f.detail.in_(lang)}" for f in findings)
        if total > len(findings):
            lines.append("  " + message("auditlog.integrity.more", more=total - len(findings)).in_(lang))
    return lines


def _ring(url: str) -> KeyRing:
    return resolve_provider(url).keyring()


def _read_anchor(path: Path) -> Anchor:
    try:
        return parse(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, AnchorUnreadable) as error:
        raise UsageError.from_key("auditlog.anchor.unreadable", path=str(path), reason=str(error)) from None


@auditlog_app.command("verify")
def verify(
    url: UrlOption = None,
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant whose chain to verify / 租户")] = "default",
    anchor: Annotated[
        Path | None,
        typer.Option("--anchor", help="A signed anchor (`auditlog anchor`) to check against / 签名锚点文件"),
    ] = None,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair-projection", help="Rebuild consent_state from the ledger first / 先由账本重建投影"
        ),
    ] = False,
) -> None:
    """Verify the audit chain, the consent ledger bound to it and the projection; name every wrong row /
    校验审计链、绑定的同意账本与投影，逐条指出问题。"""
    target = database_url(url)
    try:
        held = _read_anchor(anchor) if anchor is not None else None
        ring = _ring(target) if held is not None else None
        db = _open(target)
        try:
            if repair:
                facts = repair_projection(db, tenant, clock=SystemClock(), ids=Uuid7Ids())
                typer.echo(message("auditlog.integrity.repaired", tenant=tenant, facts=facts).bilingual())
            report = verify_tenant(db, tenant)
            anchored = [] if held is None or ring is None else check_anchor(db, held, ring)
        finally:
            db.dispose()
    except SQLAlchemyError as error:
        raise fail(_unreachable(target, error)) from None
    except ConsentgateError as error:
        raise fail(error) from None
    lines: list[str] = []
    if report.chain.problem is not None:
        lines += _problem_lines(report.chain.problem, tenant, report.chain.records_checked)
    if report.total:
        lines += _finding_lines(report.findings, report.total, tenant)
    if anchored:
        lines += _finding_lines(anchored, len(anchored), tenant)
    if not lines:
        typer.echo(message("auditlog.ok", tenant=tenant, count=report.chain.records_checked).bilingual())
        detail = message("auditlog.integrity.ok", events=report.events_checked, rows=report.rows_checked)
        typer.echo(detail.bilingual())
        if held is not None:
            typer.echo(message("auditlog.anchor.ok", tenants=len(held.heads)).bilingual())
        return
    typer.echo("\n".join(lines))
    raise typer.Exit(EXIT_BROKEN)


@auditlog_app.command("anchor")
def anchor_command(
    url: UrlOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the anchor here (default: print it) / 输出文件")
    ] = None,
    tenant: Annotated[
        list[str] | None, typer.Option("--tenant", help="Only these tenants (default: all) / 仅这些租户")
    ] = None,
) -> None:
    """Export every tenant's chain head (seq, hash, time), signed with the key ring kept outside the
    database; keep it elsewhere and check with `verify --anchor` / 导出签名的链头锚点。"""
    target = database_url(url)
    try:
        ring = _ring(target)
        db = _open(target)
        try:
            with db.reading() as session:
                heads = read_heads(session, tenant)
        finally:
            db.dispose()
    except SQLAlchemyError as error:
        raise fail(_unreachable(target, error)) from None
    except ConsentgateError as error:
        raise fail(error) from None
    signed = sign(heads, ring, SystemClock().now())
    if out is None:
        typer.echo(signed.to_json(), nl=False)
        return
    try:
        with out.open("x", encoding="utf-8") as handle:  # never overwrites an earlier anchor
            handle.write(signed.to_json())
    except OSError as error:
        raise fail(
            UsageError.from_key("auditlog.anchor.unwritable", path=str(out), reason=str(error))
        ) from None
    typer.echo(message("auditlog.anchor.written", path=str(out), tenants=len(heads)).bilingual())
