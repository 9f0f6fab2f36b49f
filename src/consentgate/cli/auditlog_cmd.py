"""`consentgate auditlog verify`: re-walk a tenant's hash chain and name the first broken record.

Exit 0 when the chain is intact, 1 when it is not (the problem printed in zh and en), 2 when the
database cannot be checked at all (unreachable, or not at the current schema).
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from consentgate.cli.app import app, fail
from consentgate.i18n import message
from consentgate.runtime.auditlog.schemas import Problem, VerifyReport
from consentgate.runtime.auditlog.verify import verify_chain
from consentgate.runtime.errors import DatabaseNotReady
from consentgate.store.database import ENV_URL, database_url
from consentgate.store.opening import open_database, shown_url
from consentgate.text import LANGS

auditlog_app = typer.Typer(help="The tamper-evident audit log / 防篡改审计日志", no_args_is_help=True)
app.add_typer(auditlog_app, name="auditlog")

EXIT_BROKEN = 1


def verify_database(url: str, tenant: str) -> VerifyReport:
    """Verifies one tenant's chain; a database that cannot be checked is a typed error, never a traceback."""
    shown = shown_url(url)
    try:
        db = open_database(url)  # never creates one: a missing file is refused before connecting
        try:
            return verify_chain(db, tenant)
        finally:
            db.dispose()
    except SQLAlchemyError as error:
        reason = str(error).splitlines()[0] if str(error) else error.__class__.__name__
        raise DatabaseNotReady.from_key("auditlog.database_unreachable", url=shown, reason=reason) from None


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


@auditlog_app.command("verify")
def verify(
    url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help=f"Database URL (default: ${ENV_URL}, else the embedded SQLite file) / 数据库地址",
        ),
    ] = None,
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant whose chain to verify / 租户")] = "default",
) -> None:
    """Verify the tenant's hash chain; name the first modified, deleted or reordered record / 校验审计日志哈希链。"""
    try:
        report = verify_database(database_url(url), tenant)
    except DatabaseNotReady as error:
        raise fail(error) from None
    if report.problem is None:
        typer.echo(message("auditlog.ok", tenant=tenant, count=report.records_checked).bilingual())
        return
    typer.echo("\n".join(_problem_lines(report.problem, tenant, report.records_checked)))
    raise typer.Exit(EXIT_BROKEN)
