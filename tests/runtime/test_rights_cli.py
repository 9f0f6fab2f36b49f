"""`consentgate rights request|status|export|overdue` on SQLite and PostgreSQL, and every error they report.

The CLI runs on the system clock; requests whose dates matter (provisional deadlines, the overdue
order) are received through an Engine on a fake clock instead, in the same database and tenant.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.cli.rights_cmd import BadDetail, parse_details
from consentgate.runtime.engine import Engine
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.rights.schemas import RequestStatus, RightsKind, RightsRequest
from tests.runtime.conftest import SEED_FIXED, TENANT

register_all()

PERSON = "wang-lei-0421"
OTHER = "chen-jing-1187"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def common(database_url: str) -> list[str]:
    return ["--manifest", str(SEED_FIXED), "--database-url", database_url, "--tenant", TENANT]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The app's own engine, on the database the commands use: it registers people and checks results."""
    with Engine.from_manifest(SEED_FIXED, create=True, database_url=database_url, tenant=TENANT) as built:
        built.consent.register_subjects([PERSON, OTHER])
        yield built


def _engine_at(database_url: str, moment: datetime) -> Engine:
    return Engine.from_manifest(
        SEED_FIXED,
        create=True,
        database_url=database_url,
        tenant=TENANT,
        clock=FakeClock(moment),
        ids=SequentialIds(f"at-{moment:%Y%m%d}"),
    )


def _received_at(database_url: str, moment: datetime, subject: str, kind: str) -> RightsRequest:
    """A request received at `moment` (its deadline follows from that day)."""
    with _engine_at(database_url, moment) as engine:
        return engine.rights.request(subject, kind)


def _only_open(engine: Engine, subject: str = PERSON) -> RightsRequest:
    (request,) = engine.rights.open_requests(subject)
    return request


def assert_bilingual_error(code: int, output: str, error_code: str) -> None:
    assert code == 2, output
    lines = [line for line in output.splitlines() if line.startswith(f"[{error_code}]")]
    assert len(lines) == 2, output  # once in zh, once in en
    assert CHINESE.search(lines[0]) and not CHINESE.search(lines[1]), output
    assert "Traceback" not in output


# ---------------------------------------------------------------------------------------- request


def test_request_prints_id_kind_status_and_due_date(common: list[str], engine: Engine) -> None:
    code, output = run("rights", "request", *common, PERSON, "copy")
    assert code == 0, output
    received = _only_open(engine)
    assert received.kind is RightsKind.COPY and received.status is RequestStatus.RECEIVED
    assert received.request_id in output
    assert "查阅、复制 / access and copy" in output
    assert "已受理 / received" in output
    assert f"截止日期 / Due by: {received.due_on.isoformat()}" in output


def test_verified_records_the_identity_check(common: list[str], engine: Engine) -> None:
    code, output = run("rights", "request", *common, PERSON, "restrict", "--verified")
    assert code == 0, output
    assert _only_open(engine).status is RequestStatus.IDENTITY_VERIFIED
    assert "已核验身份 / identity-verified" in output


def test_repeating_a_request_shows_the_open_one(common: list[str], engine: Engine) -> None:
    run("rights", "request", *common, PERSON, "delete")
    code, output = run("rights", "request", *common, PERSON, "delete", "--verified")
    assert code == 0, output
    kept = _only_open(engine)  # one request, one deadline — now verified
    assert kept.status is RequestStatus.IDENTITY_VERIFIED
    assert kept.request_id in output and "already open" in output and "已有同类" in output


def test_fulfilling_a_deletion_prints_the_certificate_and_erased_counts(
    common: list[str], engine: Engine
) -> None:
    code, output = run("rights", "request", *common, PERSON, "delete", "--verified", "--fulfil")
    assert code == 0, output
    request_id = re.search(r"Request: (\S+)", output)
    assert request_id is not None, output
    certificate = engine.rights.certificate(request_id.group(1))
    assert certificate.certificate_id in output
    assert "  subjects: 1" in output
    assert "已办结 / done" in output
    assert not engine.consent.known_subject(PERSON)


def test_fulfilling_a_copy_says_how_to_fetch_the_export(common: list[str], engine: Engine) -> None:
    code, output = run("rights", "request", *common, PERSON, "copy", "--verified", "--fulfil")
    assert code == 0, output
    request_id = re.search(r"Request: (\S+)", output)
    assert request_id is not None, output
    assert engine.rights.get(request_id.group(1)).status is RequestStatus.DONE
    assert f"consentgate rights export {request_id.group(1)} --out" in output


def test_fulfilling_a_correction_stores_the_new_value(common: list[str], engine: Engine) -> None:
    engine.profiles.set(PERSON, "phone", "13900000000", purposes=["online-courses"], consent_event_id=None)
    code, output = run(
        "rights",
        "request",
        *common,
        PERSON,
        "correct",
        "--detail",
        "data=phone",
        "--detail",
        "value=+86 139 1111 2222",
        "--verified",
        "--fulfil",
    )
    assert code == 0, output
    (phone,) = [a for a in engine.profiles.attributes(PERSON) if a.data_id == "phone"]
    assert phone.value == "+86 139 1111 2222"
    assert "phone corrected" in output and "已更正 phone" in output


def test_a_correction_value_is_json_when_it_is_a_list_and_text_otherwise(
    common: list[str], engine: Engine
) -> None:
    for subject, value in ((PERSON, '["口译", "教师"]'), (OTHER, "口译员")):
        code, output = run(
            "rights",
            "request",
            *common,
            subject,
            "correct",
            "--detail",
            "data=occupation",
            "--detail",
            f"value={value}",
        )
        assert code == 0, output
    assert _only_open(engine, PERSON).details["value"] == ["口译", "教师"]
    assert _only_open(engine, OTHER).details == {"data": "occupation", "value": "口译员"}


def test_only_a_corrections_list_or_object_value_is_parsed_as_json() -> None:
    assert parse_details("correct", ["data=42", "value=[1, 2]", "note=a=b"]) == {
        "data": "42",
        "value": [1, 2],
        "note": "a=b",
    }
    assert parse_details("copy", ["value=[1]"]) == {"value": "[1]"}


def test_a_phone_number_correction_stays_text() -> None:
    assert parse_details("correct", ["data=phone", "value=013800001111"])["value"] == "013800001111"
    assert parse_details("correct", ["data=phone", "value=13800001111"])["value"] == "13800001111"


# ---------------------------------------------------------------------------------------- status


def test_status_shows_a_refusal_with_its_reason_and_citations(common: list[str], engine: Engine) -> None:
    request = engine.rights.request(PERSON, "copy")
    engine.rights.refuse(request.request_id, "identity-unverified")
    code, output = run("rights", "status", *common, request.request_id)
    assert code == 0, output
    assert "已拒绝 / refused" in output
    assert "We could not verify" in output and CHINESE.search(output.split("Refused because:")[1])
    assert "法律依据 / Legal basis: PIPL-50" in output
    assert f"Due by: {request.due_on.isoformat()}" in output


def test_status_marks_a_deadline_counted_past_the_published_holidays(
    database_url: str, common: list[str], engine: Engine
) -> None:
    counted = _received_at(database_url, datetime(2024, 3, 1, 2, 0, tzinfo=UTC), PERSON, "copy")
    guessed = _received_at(database_url, datetime(2099, 3, 2, 2, 0, tzinfo=UTC), OTHER, "copy")
    code, output = run("rights", "status", *common, guessed.request_id)
    assert code == 0, output
    assert f"{guessed.due_on.isoformat()} (provisional / 暂定)" in output
    code, output = run("rights", "status", *common, counted.request_id)
    assert code == 0, output
    assert counted.due_on == date(2024, 3, 22) and "2024-03-22" in output
    assert "provisional" not in output


def test_status_of_a_subject_lists_only_open_requests(common: list[str], engine: Engine) -> None:
    open_one = engine.rights.request(PERSON, "copy")
    closed = engine.rights.request(PERSON, "restrict")
    engine.rights.refuse(closed.request_id, "identity-unverified")
    code, output = run("rights", "status", *common, "--subject", PERSON)
    assert code == 0, output
    assert open_one.request_id in output and closed.request_id not in output
    code, output = run("rights", "status", *common, "--subject", OTHER)
    assert code == 0 and f"{OTHER} has no open requests" in output, output


# ---------------------------------------------------------------------------------------- export


def _done_copy(engine: Engine) -> str:
    request = engine.rights.request(PERSON, "copy")
    engine.rights.verify_identity(request.request_id)
    return engine.rights.fulfil(request.request_id).request_id


def test_export_writes_the_copy_and_leaves_no_temporary_file(
    common: list[str], engine: Engine, tmp_path: Path
) -> None:
    request_id = _done_copy(engine)
    target = tmp_path / "out" / "copy.zip"
    target.parent.mkdir()
    code, output = run("rights", "export", *common, request_id, "--out", str(target))
    assert code == 0, output
    assert target.read_bytes() == engine.rights.export(request_id)
    assert zipfile.ZipFile(io.BytesIO(target.read_bytes())).namelist()
    assert [p.name for p in target.parent.iterdir()] == ["copy.zip"]
    assert target.stat().st_mode & 0o077 == 0  # a person's data: readable by its owner only


def test_export_refuses_to_overwrite_without_force(common: list[str], engine: Engine, tmp_path: Path) -> None:
    request_id = _done_copy(engine)
    target = tmp_path / "copy.zip"
    target.write_bytes(b"keep me")
    code, output = run("rights", "export", *common, request_id, "--out", str(target))
    assert_bilingual_error(code, output, "usage")
    assert target.read_bytes() == b"keep me"
    code, output = run("rights", "export", *common, request_id, "--out", str(target), "--force")
    assert code == 0, output
    assert target.read_bytes() == engine.rights.export(request_id)


# ---------------------------------------------------------------------------------------- overdue


def test_overdue_is_quiet_and_exits_0_when_nothing_is_late(common: list[str], engine: Engine) -> None:
    engine.rights.request(PERSON, "copy")
    code, output = run("rights", "overdue", *common)
    assert code == 0, output
    assert "没有逾期" in output and "no request is overdue" in output


def test_overdue_lists_late_requests_and_exits_1(common: list[str], engine: Engine) -> None:
    code, output = run("rights", "request", *common, PERSON, "delete")
    assert code == 0, output
    due = _only_open(engine).due_on
    today = date(due.year + 1, due.month, 1)
    code, output = run("rights", "overdue", *common, "--today", today.isoformat())
    assert code == 1, output
    days = (today - due).days
    assert f"{days} days overdue" in output and f"已逾期 {days} 天" in output
    assert _only_open(engine).request_id in output


def test_overdue_puts_the_most_overdue_first(database_url: str, common: list[str], engine: Engine) -> None:
    later = _received_at(database_url, datetime(2024, 6, 3, 2, 0, tzinfo=UTC), PERSON, "copy")
    earlier = _received_at(database_url, datetime(2024, 3, 1, 2, 0, tzinfo=UTC), OTHER, "delete")
    code, output = run("rights", "overdue", *common, "--today", "2024-12-31", "--json")
    assert code == 1, output
    listed = json.loads(output)
    assert [r["request_id"] for r in listed] == [earlier.request_id, later.request_id]
    assert listed[0]["days_overdue"] == (date(2024, 12, 31) - earlier.due_on).days
    assert listed[0]["due_on_provisional"] is False
    code, output = run("rights", "overdue", *common, "--today", "2024-12-31")
    assert code == 1
    assert output.index(earlier.request_id) < output.index(later.request_id)


def test_overdue_json_is_an_empty_list_when_nothing_is_late(common: list[str], engine: Engine) -> None:
    code, output = run("rights", "overdue", *common, "--json")
    assert code == 0 and json.loads(output) == [], output


# ---------------------------------------------------------------------------------------- errors


def test_a_request_for_an_unknown_subject_is_a_bilingual_error(common: list[str], engine: Engine) -> None:
    code, output = run("rights", "request", *common, "nobody-here", "copy")
    assert_bilingual_error(code, output, "runtime.unknown_subject")


def test_status_of_an_unknown_subject_is_a_bilingual_error(common: list[str], engine: Engine) -> None:
    code, output = run("rights", "status", *common, "--subject", "nobody-here")
    assert_bilingual_error(code, output, "runtime.unknown_subject")


def test_an_unknown_request_is_a_bilingual_error(common: list[str], engine: Engine, tmp_path: Path) -> None:
    code, output = run("rights", "status", *common, "no-such-request")
    assert_bilingual_error(code, output, "runtime.unknown_rights_request")
    code, output = run("rights", "export", *common, "no-such-request", "--out", str(tmp_path / "x.zip"))
    assert_bilingual_error(code, output, "runtime.rights_no_export")
    assert not (tmp_path / "x.zip").exists()


def test_an_unknown_kind_is_a_bilingual_error(common: list[str], engine: Engine) -> None:
    code, output = run("rights", "request", *common, PERSON, "forget-me")
    assert_bilingual_error(code, output, "runtime.unknown_rights_kind")
    assert "cancel-account" in output  # the kinds there are
    assert engine.rights.open_requests(PERSON) == []


def test_fulfilling_an_unverified_request_is_refused_before_anything_is_received(
    common: list[str], engine: Engine
) -> None:
    code, output = run("rights", "request", *common, PERSON, "delete", "--fulfil")
    assert_bilingual_error(code, output, "rights.cli.fulfil_unverified")
    assert engine.rights.open_requests(PERSON) == []
    assert engine.consent.known_subject(PERSON)


@pytest.mark.parametrize("today", ["2024-13-01", "tomorrow", "20240101", "2024-1-1"])
def test_a_bad_today_is_a_bilingual_error(common: list[str], engine: Engine, today: str) -> None:
    code, output = run("rights", "overdue", *common, "--today", today)
    assert_bilingual_error(code, output, "rights.cli.bad_date")
    assert today in output


@pytest.mark.parametrize(
    ("details", "error_code"),
    [
        (["data=phone", "value"], "rights.cli.bad_detail"),
        (["=phone"], "rights.cli.bad_detail"),
        (["data=phone", "data=orders", "value=1"], "rights.cli.bad_detail"),
        (["data=phone"], "runtime.rights_bad_details"),  # a correction without its new value
    ],
)
def test_a_bad_detail_is_a_bilingual_error(
    common: list[str], engine: Engine, details: list[str], error_code: str
) -> None:
    flags = [part for detail in details for part in ("--detail", detail)]
    code, output = run("rights", "request", *common, PERSON, "correct", *flags)
    assert_bilingual_error(code, output, error_code)
    assert engine.rights.open_requests(PERSON) == []


def test_parse_details_rejects_a_repeated_key() -> None:
    with pytest.raises(BadDetail):
        parse_details("copy", ["note=a", "note=b"])


@pytest.mark.parametrize("target", [[], ["some-request", "--subject", PERSON]])
def test_status_needs_exactly_one_target(common: list[str], engine: Engine, target: list[str]) -> None:
    code, output = run("rights", "status", *common, *target)
    assert_bilingual_error(code, output, "rights.cli.status_target")


def test_exporting_a_request_that_is_not_a_finished_copy_is_a_bilingual_error(
    common: list[str], engine: Engine, tmp_path: Path
) -> None:
    request = engine.rights.request(PERSON, "copy")
    folder = tmp_path / "exports"
    folder.mkdir()
    code, output = run("rights", "export", *common, request.request_id, "--out", str(folder / "c.zip"))
    assert_bilingual_error(code, output, "runtime.rights_no_export")
    assert list(folder.iterdir()) == []


def test_exporting_into_a_missing_folder_is_a_bilingual_error(
    common: list[str], engine: Engine, tmp_path: Path
) -> None:
    request_id = _done_copy(engine)
    target = tmp_path / "missing" / "copy.zip"
    code, output = run("rights", "export", *common, request_id, "--out", str(target))
    assert_bilingual_error(code, output, "rights.cli.export_not_written")
    assert not target.parent.exists()
