"""The operator console's door and overview: sign-in with a key, scopes, the audit report, statistics,
and verifying the audit log (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from sqlalchemy import text

from consentgate.audit.engine import audit_file
from consentgate.manifest.loader import load_manifest
from consentgate.runtime.apikeys.schemas import Scope
from tests.runtime.auditlog.guards import unguarded
from tests.runtime.conftest import SEED_FIXED
from tests.web.conftest import TENANT, Site, session_of

NOTICE = ("privacy-policy", "2024-01")


def _session(site: Site) -> dict[str, object]:
    """What the session holds on the server."""
    return session_of(site.client)


def _cells(html: str, purpose: str, version: str) -> dict[str, str]:
    """The statistics row of (purpose, version): column class -> number shown."""
    row = re.search(rf'<tr data-purpose="{purpose}" data-version="{version}">(.*?)</tr>', html, re.S)
    assert row, f"no statistics row for {purpose} {version!r}"
    return dict(re.findall(r'<td class="([a-z-]+)">(\d+)</td>', row.group(1)))


def _consent(site: Site, subject: str, purpose: str = "marketing-sms") -> None:
    ledger = site.engine.consent
    ledger.register_subject(subject)
    ledger.give(subject, purpose, notice_id=NOTICE[0], notice_version=NOTICE[1], data=["phone"])


# ------------------------------------------------------------------ signing in and out


def test_an_unsigned_visitor_is_sent_to_the_login_page_and_back(site: Site) -> None:
    answer = site.client.get("/console/requests", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=%2Fconsole%2Frequests"
    form = site.client.get(answer.headers["location"]).text
    assert 'type="password"' in form and 'autocomplete="off"' in form and 'name="api_key"' in form
    assert 'name="next" value="/console/requests"' in form
    signed_in = site.post(
        "/console/login",
        {"api_key": site.keys[Scope.ADMIN], "next": "/console/requests"},
        page="/console/login",
    )
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console/requests"


def test_a_bad_key_fails_without_saying_why_and_sets_no_operator_session(site: Site) -> None:
    real = site.keys[Scope.ADMIN]
    key_id = real.split(".")[0]
    for wrong in ("nonsense", f"{key_id}.{'x' * 43}", "cgk_" + "a" * 600, ""):
        answer = site.post("/console/login", {"api_key": wrong}, page="/console/login")
        assert answer.status_code == 401, wrong
        assert 'id="login-error"' in answer.text
        assert "operator" not in _session(site)
        assert site.client.get("/console", follow_redirects=False).status_code == 303
    # Every wrong key reads alike: nothing tells a malformed key from a wrong secret.
    messages = {
        re.sub(r'value="[^"]*"', "", site.post("/console/login", {"api_key": k}, page="/console/login").text)
        for k in ("nonsense", f"{key_id}.{'x' * 43}")
    }
    assert len(messages) == 1


def test_the_session_names_the_key_but_never_holds_it(site: Site) -> None:
    token = site.keys[Scope.ADMIN]
    assert site.sign_in_operator().status_code == 303
    held = _session(site)["operator"]
    assert isinstance(held, dict)
    assert held["tenant"] == TENANT and held["key_id"] == token.split(".")[0]
    assert token.split(".")[1] not in site.client.cookies["consentgate_session"]
    assert site.client.get("/console").status_code == 200


def test_signing_out_ends_the_console_session(site: Site) -> None:
    site.sign_in_operator()
    answer = site.post("/console/logout", page="/console")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
    assert site.client.get("/console", follow_redirects=False).status_code == 303


def test_a_revoked_key_ends_the_session_on_the_next_page(site: Site) -> None:
    site.sign_in_operator()
    assert site.client.get("/console/notices").status_code == 200
    keys = site.client.app.state.keys  # type: ignore[attr-defined]
    keys.revoke(TENANT, keys.verify(site.keys[Scope.ADMIN]).key_id)
    answer = site.client.get("/console/notices", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login")
    assert "operator" not in _session(site)
    again = site.post("/console/login", {"api_key": site.keys[Scope.ADMIN]}, page="/console/login")
    assert again.status_code == 401


def test_a_post_without_the_form_token_is_refused(site: Site) -> None:
    site.sign_in_operator()
    for path in ("/console/logout", "/console/auditlog", "/console/notices"):
        answer = site.client.post(path, data={}, follow_redirects=False)
        assert answer.status_code == 403, path
    forged = site.client.post("/console/login", data={"api_key": site.keys[Scope.ADMIN], "csrf_token": "x"})
    assert forged.status_code == 403
    assert site.client.get("/console", follow_redirects=False).status_code == 200  # still signed in


# ------------------------------------------------------------------ read-only keys


def test_a_read_only_key_sees_the_pages_without_buttons_and_cannot_change(site: Site) -> None:
    person = "ro-person"
    site.engine.consent.register_subject(person)
    request = site.engine.rights.request(person, "copy")
    site.sign_in_operator(Scope.READ_ONLY)
    for path in ("/console", "/console/requests", "/console/notices", "/console/auditlog"):
        answer = site.client.get(path)
        assert answer.status_code == 200, path
    requests_page = site.client.get("/console/requests").text
    assert person in requests_page and "/verify-identity" not in requests_page
    assert 'action="/console/notices"' not in site.client.get("/console/notices").text
    token = site.token("/console")
    for path, data in (
        (f"/console/requests/{request.request_id}/verify-identity", {}),
        (f"/console/requests/{request.request_id}/refuse", {"reason": "identity-unverified"}),
        ("/console/notices", {"notice_id": NOTICE[0], "version": "x", "text_zh": "中", "text_en": "en"}),
    ):
        answer = site.client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
        assert answer.status_code == 403, path
    assert site.engine.rights.get(request.request_id).status.value == "received"
    assert site.engine.notices.find(NOTICE[0], "x") is None


# ------------------------------------------------------------------ overview


def test_the_overview_shows_the_fixed_manifest_free_of_findings(site: Site) -> None:
    site.sign_in_operator()
    page = site.client.get("/console").text
    assert 'id="audit-clean"' in page
    assert 'class="card finding"' not in page
    assert "英语学习App（整改后）" in page


def test_the_overview_shows_each_finding_the_cli_audit_finds(site: Site) -> None:
    """The page runs the CLI's audit: on the seed case as found, the same findings in the same order."""
    as_found = SEED_FIXED.with_name("as-found.yaml")
    # The as-found app could never start (it fails high rules), so its audit is put on a running engine.
    site.engine.loaded = load_manifest(as_found)
    site.sign_in_operator()
    page = site.client.get("/console").text
    expected = audit_file(str(as_found)).active
    assert expected, "the seed case as found has findings"
    assert re.findall(r'<article class="card finding" data-rule="([^"]+)">', page) == [
        f.rule_id for f in expected
    ]
    first = expected[0]
    assert first.title.zh in page and first.message.zh in page
    assert f"第 {first.location.line} 行第 {first.location.column} 列" in page
    assert all(f"<code>{citation}</code>" in page for citation in first.citations)
    assert 'id="audit-clean"' not in page


def test_consent_statistics_count_what_the_ledger_holds(site: Site) -> None:
    for person in ("p1", "p2", "p3"):
        _consent(site, person)
    site.engine.consent.withdraw("p3", "marketing-sms")
    site.engine.consent.register_subject("p4")
    site.engine.consent.refuse("p4", "marketing-sms", notice_id=NOTICE[0], notice_version=NOTICE[1])
    site.sign_in_operator()
    page = site.client.get("/console").text
    assert _cells(page, "marketing-sms", NOTICE[1]) == {
        "given": "2",
        "refused": "1",
        "withdrawn": "0",
        "expired": "0",
        "must-reconsent": "0",
    }
    assert _cells(page, "marketing-sms", "")["withdrawn"] == "1"  # a withdrawal names no version


def test_statistics_are_the_tenants_own(site: Site) -> None:
    other = site.client.app.state.engines.get("another-tenant")  # type: ignore[attr-defined]
    other.consent.register_subject("elsewhere")
    other.consent.give("elsewhere", "marketing-sms", notice_id=NOTICE[0], notice_version=NOTICE[1])
    _consent(site, "here")
    site.sign_in_operator()
    assert _cells(site.client.get("/console").text, "marketing-sms", NOTICE[1])["given"] == "1"


def test_the_overview_reads_in_english_too(site: Site) -> None:
    site.sign_in_operator()
    site.client.get("/lang/en")
    page = site.client.get("/console").text
    assert '<html lang="en">' in page
    assert "Audit of the running manifest" in page and "No findings" in page


# ------------------------------------------------------------------ audit log


def test_verifying_the_audit_log_says_intact_then_broken_after_tampering(site: Site) -> None:
    _consent(site, "audited")
    site.sign_in_operator()
    page = site.client.get("/console/auditlog").text
    assert 'id="verify-result"' not in page  # verifying waits for the button
    intact = site.post("/console/auditlog", page="/console/auditlog")
    assert intact.status_code == 200
    assert 'class="badge ok" id="chain-state"' in intact.text
    checked = re.search(r'id="chain-state">[^<]*</span>\D*(\d+)', intact.text)
    assert checked and int(checked.group(1)) > 0
    with site.engine.database.engine.begin() as connection, unguarded(connection):
        tampered = connection.execute(
            text(
                "UPDATE audit_records SET payload = :forged "
                "WHERE tenant_id = :tenant AND seq = (SELECT MIN(seq) FROM audit_records WHERE tenant_id = :tenant)"
            ),
            {"forged": '{"forged":true}', "tenant": TENANT},
        )
        assert tampered.rowcount == 1
    broken = site.post("/console/auditlog", page="/console/auditlog")
    assert 'class="badge bad" id="chain-state"' in broken.text
    assert re.search(r'id="problem-seq">\d+<', broken.text)
