"""`consentgate rights request|status|export|overdue`: a person's requests from the operator's shell.

`overdue` exits 1 while any open request is past its deadline, so a cron job or CI step can alert on
it; every mistake in a command line is a typed error printed in zh and en, exit 2, like the rest of
the CLI. Text shown to the operator lives in the i18n catalogs under `rights.cli.`.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from consentgate.cli.app import app, reported
from consentgate.cli.runtime_cmd import ManifestOpt, TenantOpt, UrlOpt, open_engine
from consentgate.errors import ConsentgateError, UsageError
from consentgate.i18n import message
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import UnknownSubject
from consentgate.runtime.rights.deadlines import is_provisional, local_date
from consentgate.runtime.rights.errors import NoCertificate
from consentgate.runtime.rights.fulfilment import EXPORT_LIFETIME
from consentgate.runtime.rights.schemas import RequestStatus, RightsKind, RightsRequest
from consentgate.text import Text

rights_app = typer.Typer(help="Data-subject rights requests / 个人权利申请", no_args_is_help=True)
app.add_typer(rights_app, name="rights")
out = Console(highlight=False, soft_wrap=True)

EXIT_OVERDUE = 1
_ERASING = frozenset({RightsKind.DELETE, RightsKind.CANCEL_ACCOUNT})
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadDetail(ConsentgateError):
    """A `--detail` that is not `key=value`, or a key given twice."""

    code = "rights.cli.bad_detail"


class BadDate(ConsentgateError):
    code = "rights.cli.bad_date"


class FulfilUnverified(ConsentgateError):
    """`--fulfil` without `--verified`: identity comes first (PIPL 50), so nothing is received."""

    code = "rights.cli.fulfil_unverified"


class StatusTarget(ConsentgateError):
    code = "rights.cli.status_target"


class ExportNotWritten(ConsentgateError):
    code = "rights.cli.export_not_written"


# ---------------------------------------------------------------------------------------- parsing


def parse_details(kind: str, given: list[str]) -> dict[str, Any]:
    """`key=value` pairs; a correction's `value` may be a JSON list or object, else it is text."""
    details: dict[str, Any] = {}
    for item in given:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise BadDetail.from_key("rights.cli.bad_detail", detail=item)
        if key in details:
            raise BadDetail.from_key("rights.cli.duplicate_detail", key=key)
        details[key] = _json_or_text(value) if (kind, key) == (RightsKind.CORRECT.value, "value") else value
    return details


def _json_or_text(value: str) -> Any:
    """A JSON list, object or quoted string is parsed; anything else stays text, so that a phone
    number or an id with leading zeros is never turned into a number."""
    if not value.lstrip().startswith(("[", "{", '"')):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def parse_day(value: str) -> date:
    try:
        if not _ISO_DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadDate.from_key("rights.cli.bad_date", value=value) from None


# ---------------------------------------------------------------------------------------- showing


def _both(key: str, **values: object) -> str:
    return message(key, **values).bilingual()


def _due(day: date) -> str:
    """The deadline, marked when it was counted past the last published holiday schedule."""
    if not is_provisional(day):
        return day.isoformat()
    mark = message("rights.cli.provisional")
    return f"{day.isoformat()} ({mark.en} / {mark.zh})"


def _kind(kind: RightsKind) -> str:
    return f"{kind.value} — {message(f'rights.kind.{kind.value}').bilingual()}"


def _kind_name(kind: str) -> Text | str:
    """The kind as the person would say it, when it is one (an unknown kind is reported later)."""
    known = {k.value for k in RightsKind}
    return message(f"rights.kind.{kind}") if kind in known else kind


def _status(status: RequestStatus) -> str:
    return message(f"rights.status.{status.value}").bilingual()


def _field(key: str, value: str) -> None:
    out.print(f"{message(f'rights.cli.field.{key}').bilingual()}: {value}", markup=False)


def _show(request: RightsRequest, today: date) -> None:
    _field("request", request.request_id)
    _field("subject", request.subject)
    _field("kind", _kind(request.kind))
    _field("status", _status(request.status))
    _field("received_at", request.received_at.isoformat())
    _field("due_on", _due(request.due_on))
    if request.overdue_on(today):
        _field("overdue", _both("rights.cli.days_overdue", days=(today - request.due_on).days))
    if request.finished_at is not None:
        _field("finished_at", request.finished_at.isoformat())
    if request.refusal is not None:
        _field("refusal", request.refusal.message.bilingual())
        _field("citations", ", ".join(request.refusal.citations))


def _line(request: RightsRequest, today: date) -> str:
    parts = [request.request_id, request.kind.value, _status(request.status), _due(request.due_on)]
    if request.overdue_on(today):
        parts.append(_both("rights.cli.days_overdue", days=(today - request.due_on).days))
    return "  ".join(parts)


def _show_outcome(engine: Engine, done: RightsRequest) -> None:
    """What carrying the request out did, in terms the operator can pass on to the person."""
    if done.kind in _ERASING:
        certificate = engine.rights.certificate(done.request_id)
        out.print(_both("rights.cli.outcome.erased", certificate=certificate.certificate_id), markup=False)
        for table, count in sorted(certificate.erased.items()):
            out.print(f"  {table}: {count}", markup=False)
        told = len(certificate.recipients_notified)
        out.print(_both("rights.cli.outcome.recipients", count=told), markup=False)
    elif done.kind is RightsKind.COPY:
        days = EXPORT_LIFETIME.days
        out.print(_both("rights.cli.outcome.copy", request=done.request_id, days=days), markup=False)
    elif done.kind is RightsKind.CORRECT:
        out.print(_both("rights.cli.outcome.correct", data=done.details.get("data", "")), markup=False)
    else:
        out.print(_both(f"rights.cli.outcome.{done.kind.value}"), markup=False)


def _overdue_document(requests: list[RightsRequest], today: date) -> list[dict[str, Any]]:
    return [
        {
            "request_id": r.request_id,
            "subject": r.subject,
            "kind": r.kind.value,
            "status": r.status.value,
            "received_at": r.received_at.isoformat(),
            "due_on": r.due_on.isoformat(),
            "due_on_provisional": is_provisional(r.due_on),
            "days_overdue": (today - r.due_on).days,
        }
        for r in requests
    ]


# ---------------------------------------------------------------------------------------- writing


def write_atomically(path: Path, content: bytes, *, force: bool) -> None:
    """Writes `content` to a temporary file beside `path`, then moves it into place in one step.

    A reader never sees half a copy, and a crash leaves no partial file under the real name. The
    file is created owner-only (it holds a person's data). Without `force` an existing file stays.
    """
    if path.exists() and not force:
        raise UsageError.from_key("error.file_exists", path=str(path))
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise _not_written(path, error) from None
    part = Path(temporary)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        if force:
            part.replace(path)
        else:
            _place_without_overwriting(part, path)
    except OSError as error:
        raise _not_written(path, error) from None
    finally:
        with suppress(FileNotFoundError):
            part.unlink()


def _place_without_overwriting(part: Path, path: Path) -> None:
    # A hard link fails if the name exists, so a file that appeared meanwhile is never clobbered.
    try:
        path.hardlink_to(part)
    except FileExistsError:
        raise UsageError.from_key("error.file_exists", path=str(path)) from None
    except OSError:  # a filesystem without hard links: the check above is the best left
        part.replace(path)


def _not_written(path: Path, error: OSError) -> ExportNotWritten:
    problem = error.strerror or error.__class__.__name__
    return ExportNotWritten.from_key("rights.cli.export_not_written", path=str(path), problem=problem)


# ---------------------------------------------------------------------------------------- commands

DetailOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--detail",
        help="key=value, repeatable; for correct: data=ITEM value=NEW (JSON when it parses) / 申请细节",
    ),
]


@rights_app.command("request")
def request(
    manifest: ManifestOpt,
    subject: Annotated[str, typer.Argument(help="The person (subject id) / 个人标识")],
    kind: Annotated[str, typer.Argument(help=", ".join(k.value for k in RightsKind))],
    detail: DetailOpt = None,
    verified: Annotated[
        bool, typer.Option("--verified", help="The requester's identity was checked / 已核验申请人身份")
    ] = False,
    fulfil: Annotated[
        bool, typer.Option("--fulfil", help="Carry it out now (needs --verified) / 立即办理")
    ] = False,
    database_url: UrlOpt = None,
    tenant: TenantOpt = "default",
) -> None:
    """Receive a person's request; optionally verify identity and carry it out / 受理个人权利申请。"""
    with reported():
        details = parse_details(kind, detail or [])
        if fulfil and not verified:
            raise FulfilUnverified.from_key(
                "rights.cli.fulfil_unverified", subject=subject, kind=_kind_name(kind)
            )
    with open_engine(manifest, database_url, tenant) as engine:
        already = {r.kind.value: r.request_id for r in engine.rights.open_requests(subject)}
        received = engine.rights.request(subject, kind, details=details or None)
        if already.get(received.kind.value) == received.request_id:
            out.print(_both("rights.cli.already_open"), markup=False)
        if verified and received.status is RequestStatus.RECEIVED:
            received = engine.rights.verify_identity(received.request_id)
        _show(received, local_date(engine.clock.now()))
        if fulfil:
            done = engine.rights.fulfil(received.request_id)
            _field("status", _status(done.status))
            _show_outcome(engine, done)


@rights_app.command("status")
def status(
    manifest: ManifestOpt,
    request_id: Annotated[str | None, typer.Argument(help="Request id / 申请编号")] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", "-s", help="The person's open requests / 个人未办结的申请")
    ] = None,
    database_url: UrlOpt = None,
    tenant: TenantOpt = "default",
) -> None:
    """One request with its deadline, or a person's open requests / 查看申请及其截止日期。"""
    if (request_id is None) == (subject is None):
        with reported():
            raise StatusTarget.from_key("rights.cli.status_target")
    with open_engine(manifest, database_url, tenant) as engine:
        today = local_date(engine.clock.now())
        if request_id is not None:
            found = engine.rights.get(request_id)
            _show(found, today)
            _show_certificate(engine, found)
        elif subject is not None:
            _show_open(engine, subject, today)


def _show_open(engine: Engine, subject: str, today: date) -> None:
    if not engine.consent.known_subject(subject):
        raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)
    requests = engine.rights.open_requests(subject)
    if not requests:
        out.print(_both("rights.cli.no_open", subject=subject), markup=False)
    for open_request in requests:
        out.print(_line(open_request, today), markup=False)


def _show_certificate(engine: Engine, found: RightsRequest) -> None:
    if found.kind not in _ERASING or found.status is not RequestStatus.DONE:
        return
    with suppress(NoCertificate):  # closed by another request's erasure: that one holds the certificate
        _field("certificate", engine.rights.certificate(found.request_id).certificate_id)


@rights_app.command("export")
def export(
    manifest: ManifestOpt,
    request_id: Annotated[str, typer.Argument(help="A finished copy request / 已办结的复制申请")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The zip to write / 输出的 zip 文件")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file / 覆盖已有文件")] = False,
    database_url: UrlOpt = None,
    tenant: TenantOpt = "default",
) -> None:
    """Write the copy of a person's data (zip) a finished copy request produced / 导出个人信息副本。"""
    with reported():
        if out_path.exists() and not force:
            raise UsageError.from_key("error.file_exists", path=str(out_path))
    with open_engine(manifest, database_url, tenant) as engine:
        content = engine.rights.export(request_id)
        write_atomically(out_path, content, force=force)
    out.print(_both("rights.cli.exported", path=str(out_path), size=len(content)), markup=False)


@rights_app.command("overdue")
def overdue(
    manifest: ManifestOpt,
    today: Annotated[
        str | None, typer.Option("--today", help="YYYY-MM-DD (default: today in Beijing) / 基准日期")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable list / JSON 输出")] = False,
    database_url: UrlOpt = None,
    tenant: TenantOpt = "default",
) -> None:
    """Open requests past their deadline, most overdue first; exit 1 if any / 列出逾期申请，有则退出码 1。"""
    with reported():
        given = parse_day(today) if today is not None else None
    with open_engine(manifest, database_url, tenant) as engine:
        day = given or local_date(engine.clock.now())
        late = engine.rights.overdue(day)
    if as_json:
        typer.echo(json.dumps(_overdue_document(late, day), ensure_ascii=False, indent=2))
    elif not late:
        out.print(_both("rights.cli.no_overdue", today=day.isoformat()), markup=False)
    else:
        out.print(_both("rights.cli.overdue_count", count=len(late), today=day.isoformat()), markup=False)
        for request_ in late:
            out.print(f"{_line(request_, day)}  {request_.subject}", markup=False)
    if late:
        raise typer.Exit(EXIT_OVERDUE)
