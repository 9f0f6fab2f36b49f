"""The HTML report is one standalone, escaped file that carries the cited law's own text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consentgate.audit.engine import audit_file
from consentgate.audit.findings import ManifestReport
from consentgate.audit.report.html import render_html
from consentgate.i18n import message
from consentgate.law.catalog import load_catalog
from consentgate.text import Lang
from tests.audit.conftest import FORCED, FORCED_RULE, document, suppressed_copy


@pytest.fixture(scope="module")
def seed_html(seed_report: ManifestReport) -> str:
    return render_html(document(seed_report), "zh")


def test_html_is_standalone_with_no_external_resource(seed_html: str) -> None:
    assert seed_html.lstrip().startswith("<!DOCTYPE html>")
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", seed_html), "no URL may appear"
    assert not re.search(r"(?i)<(script|link|img|iframe)\b", seed_html)
    assert "<style>" in seed_html and "@media print" in seed_html


def test_html_cover_names_app_operator_date_and_counts(seed_report: ManifestReport, seed_html: str) -> None:
    assert seed_report.app and seed_report.app in seed_html
    assert seed_report.operator and seed_report.operator in seed_html
    assert "2025-03-15" in seed_html
    high = sum(1 for f in seed_report.findings if f.severity.value == "high")
    assert f'<td class="num">{high}</td>' in seed_html


def test_html_quotes_the_text_of_every_cited_verified_law(
    seed_report: ManifestReport, seed_html: str
) -> None:
    catalog = load_catalog()
    cited = {c for f in seed_report.violations for c in f.citations}
    for citation in cited:
        entry = catalog.entry(citation)
        assert entry.heading.zh in seed_html, citation
        if entry.text is not None:
            first_line = entry.text.zh.splitlines()[0]
            assert first_line.replace("'", "&#39;").replace('"', "&#34;") in seed_html, citation


def test_html_marks_each_unverified_law_text(seed_report: ManifestReport, seed_html: str) -> None:
    catalog = load_catalog()
    pairs = [(f, c) for f in seed_report.violations for c in f.citations if not catalog.entry(c).verified]
    assert pairs, "the seed case cites unverified clauses (e.g. AVIM items); this test needs one"
    distinct = {c for _, c in pairs}
    # Marked at each citation of a finding, and once more where the appendix quotes the clause.
    assert seed_html.count(message("report.unverified").bilingual()) == len(pairs) + len(distinct)


def test_html_quotes_each_cited_law_once_in_the_appendix(seed_report: ManifestReport, seed_html: str) -> None:
    cited = {c for f in seed_report.violations for c in f.citations}
    appendix = seed_html.split('<section class="laws">', 1)[1]
    for citation in cited:
        assert seed_html.count(f'id="law-{citation}"') == 1, citation
        assert f'id="law-{citation}"' in appendix, citation
        assert f'href="#law-{citation}"' in seed_html, citation


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_speaks_the_chosen_language(seed_report: ManifestReport, lang: Lang) -> None:
    html = render_html(document(seed_report), lang)
    assert message("report.title").in_(lang) in html
    assert seed_report.findings[0].message.in_(lang).split("'")[0] in html


def test_html_lists_suppressed_findings_with_reasons(tmp_path: Path) -> None:
    html = render_html(document(audit_file(str(suppressed_copy(tmp_path, reason="问卷已下线")))), "zh")
    section = html.split('<section class="suppressed">', 1)
    assert len(section) == 2, "suppressed findings need their own section"
    assert FORCED_RULE in section[1] and "问卷已下线" in section[1]


def test_html_escapes_manifest_content(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        FORCED.read_text("utf-8").replace("name: Learn", 'name: "<script>alert(1)</script>"'), "utf-8"
    )
    html = render_html(document(audit_file(str(hostile))), "en")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_html_lists_open_checks_apart_from_the_findings(seed_report: ManifestReport, seed_html: str) -> None:
    """Checks left open are a table of their own, naming the facts to state; never a finding's article."""
    assert seed_report.unconfirmed
    findings, rest = seed_html.split(message("report.unconfirmed_findings").zh, 1)
    table = rest.split("</table>", 1)[0]
    for check in seed_report.unconfirmed:
        assert check.rule_id in table
        for fact in check.unknown_facts:
            assert f"<code>{fact}</code>" in table
        assert check.message.zh not in findings
