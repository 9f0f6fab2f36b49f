"""The console's notices: versions listed, a new version published, and who must re-consent after it."""

from __future__ import annotations

import re
from typing import Any

from consentgate.runtime.notices.schemas import ChangeKind, NoticeVersion
from tests.web.conftest import Site

PAGE = "/console/notices"
NOTICE = "privacy-policy"


def _current(site: Site) -> NoticeVersion:
    current = site.engine.notices.current(NOTICE)
    assert current is not None
    return current


def _form(current: NoticeVersion, version: str, **changes: Any) -> dict[str, Any]:
    """The publish form as the operator submits it: the current version's content with `changes`."""
    form: dict[str, Any] = {
        "notice_id": NOTICE,
        "version": version,
        "text_zh": current.text.zh,
        "text_en": current.text.en,
        "purposes": sorted(current.purposes),
        "data": sorted(current.data),
        "recipients": sorted(current.recipients),
    }
    return form | changes


def _give(site: Site, subject: str, purpose: str, **extra: Any) -> None:
    site.engine.consent.register_subject(subject)
    site.engine.consent.give(subject, purpose, notice_id=NOTICE, notice_version="2024-01", **extra)


def test_the_form_starts_from_the_current_version(site: Site) -> None:
    site.sign_in_operator()
    page = site.client.get(PAGE).text
    current = _current(site)
    assert re.search(r'<tr data-version="2024-01">', page)
    for item in current.data:
        assert re.search(rf'id="data-{item}" name="data" value="{item}" checked', page), item
    for recipient in current.recipients:
        assert re.search(rf'id="recipients-{recipient}"[^>]* checked', page), recipient
    assert 'id="version" name="version" value=""' in page
    first_line = current.text.zh.splitlines()[0]
    assert first_line in page


def test_a_material_change_says_who_must_re_consent(site: Site) -> None:
    _give(site, "p1", "marketing-sms", data=["phone"])
    _give(site, "p2", "marketing-sms", data=["phone"])
    _give(site, "p3", "share-affiliates", data=["phone"], recipient="affiliate-app-a")
    site.engine.consent.register_subject("p4")
    site.engine.consent.withdraw("p4", "marketing-sms")  # withdrawn: nothing to renew
    site.sign_in_operator()
    current = _current(site)
    published = site.post(PAGE, _form(current, "2024-02", data=sorted(current.data - {"phone"})))
    assert published.status_code == 303
    assert published.headers["location"] == f"{PAGE}/published?notice={NOTICE}&version=2024-02"
    result = site.client.get(published.headers["location"]).text
    assert 'class="flash"' in result
    version = site.engine.notices.find(NOTICE, "2024-02")
    assert version is not None and version.change is ChangeKind.MATERIAL
    assert {"marketing-sms", "share-affiliates"} <= version.affected_purposes
    reconsent = re.search(r'<p class="card" id="reconsent"><strong>(.*?)</strong>', result, re.S)
    assert reconsent and re.findall(r"\d+", reconsent.group(1)) == ["3"]
    assert 'id="no-reconsent"' not in result
    assert re.search(r'<tr data-purpose="marketing-sms">.*?<td>2</td>', result)
    overview = site.client.get("/console").text
    stale = re.search(r'<tr data-purpose="marketing-sms" data-version="2024-01">(.*?)</tr>', overview, re.S)
    assert stale and 'class="badge stale"' in stale.group(1)
    assert '<td class="must-reconsent">2</td>' in stale.group(1)


def test_an_editorial_change_keeps_consents_live(site: Site) -> None:
    _give(site, "p1", "marketing-sms", data=["phone"])
    site.sign_in_operator()
    current = _current(site)
    form = _form(current, "2024-01a", text_en=current.text.en + "\nReworded.")
    published = site.post(PAGE, form)
    result = site.client.get(published.headers["location"]).text
    assert 'id="change-kind"' in result
    assert site.engine.notices.find(NOTICE, "2024-01a").change is ChangeKind.EDITORIAL  # type: ignore[union-attr]
    assert 'id="no-reconsent"' in result and 'id="reconsent"' not in result
    assert site.engine.consent.statistics().must_reconsent() == 0


def test_a_published_version_id_cannot_take_new_content(site: Site) -> None:
    site.sign_in_operator()
    current = _current(site)
    answer = site.post(PAGE, _form(current, "2024-01", text_en="Something else entirely."))
    assert answer.status_code == 409
    assert 'id="publish-errors"' in answer.text
    assert "Something else entirely." in answer.text  # the operator's input is kept
    assert _current(site).text.en == current.text.en


def test_republishing_the_same_content_changes_nothing(site: Site) -> None:
    site.sign_in_operator()
    current = _current(site)
    answer = site.post(PAGE, _form(current, "2024-01"))
    assert answer.status_code == 303
    site.client.get(answer.headers["location"])
    assert [v.version for v in site.engine.notices.versions(NOTICE)] == ["2024-01"]


def test_mistakes_come_back_on_the_form_and_publish_nothing(site: Site) -> None:
    site.sign_in_operator()
    current = _current(site)
    mistakes: list[dict[str, Any]] = [
        {"version": "  "},
        {"text_zh": ""},
        {"purposes": []},
        {"purposes": ["made-up-purpose"]},
        {"recipients": ["someone-else"]},
        {"notice_id": "no-such-notice"},
        {"version": "v" * 81},
    ]
    for changes in mistakes:
        answer = site.post(PAGE, _form(current, "2099-01") | changes)
        assert answer.status_code == 422, changes
        assert 'id="publish-errors"' in answer.text, changes
    assert [v.version for v in site.engine.notices.versions()] == ["2024-01"]


def test_an_unknown_version_has_no_result_page(site: Site) -> None:
    site.sign_in_operator()
    answer = site.client.get(f"{PAGE}/published", params={"notice": NOTICE, "version": "1999"})
    assert answer.status_code == 404
    assert "1999" in answer.text
