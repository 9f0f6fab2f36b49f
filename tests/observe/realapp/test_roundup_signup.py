"""`consentgate observe` on a real app's sign-up: Roundup's Register page, on a desktop and as an iPhone 13.

What is asserted is what Roundup's classic template is, as read on its page (in Chinese, as Chromium
asks for zh-CN): a Register form asking for 名字 (name), 登录名 (login name), 登录密码 and 确认密码
(password), 电话 (phone), 组织 (organisation), 邮件地址 and 其它邮件地址 (e-mail), the login name,
password and e-mail highlighted as required; a search box and a login form in the sidebar; no privacy
notice, no consent box, no way to refuse; every request to the tracker itself; and once the form is
sent, a page saying a confirmation mail is on its way. So observe must find personal data collected
before any notice or consent, nothing sent to a third party, and leave unknown what it cannot see.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.observe.model import Observation, Walk, WalkEnd
from consentgate.observe.model import Path as WalkPath
from consentgate.observe.persona import DEFAULT_PERSONA
from tests.observe.realapp.conftest import Roundup, Tracker

register_all()
pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium")

NO_NOTICE = "CG-PIPL-017-NO-PRIOR-NOTICE"
BEFORE_CONSENT = "CG-AVIM-031-COLLECTED-BEFORE-CONSENT"
SENT_BEFORE_CONSENT = "CG-AVIM-031-SENT-BEFORE-CONSENT"  # to a third party
PERMISSION_BEFORE_CONSENT = "CG-AVIM-031-PERMISSION-BEFORE-CONSENT"
FORCED = "CG-PIPL-016-FORCED-COLLECTION"

# The Register form's fields by name, as Roundup's classic template has them: (category, required).
REGISTER_FORM = {
    "realname": ("identity.name", False),
    "username": ("profile.nickname", True),
    "password": ("account.credentials", True),
    "@confirm@password": ("account.credentials", True),
    "phone": ("contact.phone", False),
    "organisation": (None, False),  # no category of the taxonomy: left unknown, not guessed
    "address": ("contact.email", True),
    "alternate_addresses": ("contact.email", False),
}


@dataclass(frozen=True)
class Observed:
    """One `consentgate observe` run on a tracker's Register page, and what the tracker got from it."""

    exit_code: int
    report: dict[str, Any]
    observation: Observation
    manifest: dict[str, Any]
    evidence: Path
    mail: str

    @property
    def findings(self) -> list[dict[str, Any]]:
        findings: list[dict[str, Any]] = self.report["manifests"][0]["findings"]
        return findings

    def walk(self, path: WalkPath) -> Walk:
        return next(w for w in self.observation.walks if w.path is path)


def _observe(tracker: Tracker, out: Path, device: str | None) -> Observed:
    report, evidence, manifest = out / "report.json", out / "evidence", out / "observed.yaml"
    args = [
        tracker.register,
        "--json",
        str(report),
        "--evidence",
        str(evidence),
        "--manifest-out",
        str(manifest),
    ]
    result = CliRunner().invoke(app, ["observe", *args, *(("--device", device) if device else ())])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    (folder,) = evidence.iterdir()
    return Observed(
        exit_code=result.exit_code,
        report=json.loads(report.read_text("utf-8")),
        observation=Observation.model_validate_json((folder / "observation.json").read_text("utf-8")),
        manifest=yaml.safe_load(manifest.read_text("utf-8")),
        evidence=folder,
        mail=tracker.mailbox.read_text("utf-8") if tracker.mailbox.exists() else "",
    )


@pytest.fixture(scope="module")
def desktop(roundup: Roundup, tmp_path_factory: pytest.TempPathFactory) -> Observed:
    return _observe(roundup.trackers["desktop"], tmp_path_factory.mktemp("desktop"), None)


@pytest.fixture(scope="module")
def phone(roundup: Roundup, tmp_path_factory: pytest.TempPathFactory) -> Observed:
    return _observe(roundup.trackers["phone"], tmp_path_factory.mktemp("phone"), "iPhone 13")


@pytest.fixture(params=["desktop", "phone"])
def observed(request: pytest.FixtureRequest) -> Observed:
    run: Observed = request.getfixturevalue(request.param)
    return run


def _png_width(path: Path) -> int:
    width: int = struct.unpack(">I", path.read_bytes()[16:20])[0]  # IHDR: width right after the signature
    return width


def test_the_walker_signs_up_with_the_persona_and_the_tracker_mails_its_address(observed: Observed) -> None:
    """The sign-up really happened: the Register form (not the sidebar's login or search) was sent with the
    persona's e-mail in the e-mail field, and Roundup mailed the confirmation there."""
    assert "Complete your registration" in observed.mail
    assert f"TO: {DEFAULT_PERSONA.email}" in observed.mail
    sent = [r for r in observed.walk(WalkPath.ACCEPT).requests if r.method == "POST"]
    assert len(sent) == 1 and sent[0].url.endswith("/user")
    assert {s.category for s in sent[0].sent} == {
        "identity.name",
        "profile.nickname",
        "account.credentials",
        "contact.phone",
        "contact.email",
    }
    assert not any(s.key.startswith("__login") for s in sent[0].sent)


def test_the_register_form_is_read_field_by_field_with_its_required_marks(observed: Observed) -> None:
    screen = observed.walk(WalkPath.ACCEPT).screens[0]
    fields = {f.name: (f.category, f.required) for f in screen.fields}
    assert {name: fields[name] for name in REGISTER_FORM} == REGISTER_FORM
    assert not screen.shows_notice
    assert not [c for c in screen.controls if c.role.value in ("consent-box", "agree", "refuse", "skip")]


def test_no_refusal_is_offered_and_the_confirmation_mail_ends_the_acceptance_walk(observed: Observed) -> None:
    refuse, accept = observed.walk(WalkPath.REFUSE), observed.walk(WalkPath.ACCEPT)
    assert refuse.end is WalkEnd.COMPLETED and refuse.refused_at is None and len(refuse.screens) == 1
    assert accept.end is WalkEnd.EMAIL_LINK, accept.end_detail
    assert [s.title.split(" ")[0] for s in accept.screens] == ["注册", "注册处理中"]  # Register, in progress
    assert accept.agreed_at is None  # nothing on the way asked for agreement


def test_everything_went_to_the_tracker_itself(observed: Observed) -> None:
    walks = observed.observation.walks
    assert {r.party.value for w in walks for r in w.requests} == {"first"}
    assert not any(w.cookies or w.permissions for w in walks)
    assert "recipients" not in observed.manifest and "provisions" not in observed.manifest["conduct"]
    ids = {f["rule_id"] for f in observed.findings}
    assert SENT_BEFORE_CONSENT not in ids and PERMISSION_BEFORE_CONSENT not in ids


def test_collection_without_any_notice_or_consent_is_found_with_its_evidence(observed: Observed) -> None:
    assert observed.exit_code == 1
    assert observed.manifest["notices"] == []  # every screen read, none showed a notice: stated absent
    by_rule = {f["rule_id"]: f for f in observed.findings}
    assert set(by_rule) == {NO_NOTICE, BEFORE_CONSENT}
    assert all(f["severity"] == "high" for f in observed.findings)
    collected = [f for f in observed.findings if f["rule_id"] == BEFORE_CONSENT]
    assert len(collected) == 2  # before consent (AVIM 3.1) and before the notice (PIPL 17), one collection
    (request,) = {e["description"]["en"] for f in collected for e in f["evidence"] if e["kind"] == "request"}
    assert request.startswith("POST ") and "contact-email" in request and "contact-phone" in request
    shots = [e["screenshot"] for e in by_rule[NO_NOTICE]["evidence"] if e["screenshot"]]
    assert shots and all((observed.evidence / s).is_file() for s in shots)


def test_what_a_browser_cannot_see_stays_unconfirmed(observed: Observed) -> None:
    """Necessity needs the app's type, the rights channels are not on the Register page: unknown, not guilt."""
    unconfirmed = {f["rule_id"]: f["unknown_facts"] for f in observed.report["manifests"][0]["unconfirmed"]}
    assert "app.necessary_data" in unconfirmed[FORCED]
    assert FORCED not in {f["rule_id"] for f in observed.findings}
    assert observed.report["summary"]["findings"]["medium"] == 0


def test_the_phone_walk_is_an_iphone_13s_and_finds_what_the_desktop_finds(
    desktop: Observed, phone: Observed
) -> None:
    assert phone.observation.device == "iPhone 13" and desktop.observation.device is None
    first = phone.walk(WalkPath.ACCEPT).screens[0].screenshot
    assert first is not None and _png_width(phone.evidence / first) == 390 * 3  # CSS width x device pixels
    rules = sorted(f["rule_id"] for f in desktop.findings)
    assert sorted(f["rule_id"] for f in phone.findings) == rules
