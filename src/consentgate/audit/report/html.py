"""One standalone HTML file that counsel can hand to a client: no script, no CDN, prints cleanly.

Each finding carries the text of the law it cites, pulled from the catalog, so the reader does
not need to look anything up; clauses whose text was not verified verbatim are marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from consentgate.audit.findings import Finding, ManifestReport
from consentgate.audit.report.document import SEVERITIES, AuditDocument, Verdict, label, severity_label
from consentgate.i18n import message
from consentgate.law.catalog import load_catalog
from consentgate.text import Lang, Text

TEMPLATE = "report.html.j2"
_HTML_LANG: dict[Lang, str] = {"zh": "zh-CN", "en": "en"}


@dataclass(frozen=True)
class CitedLaw:
    """A citation as the reader sees it: heading and text in both languages, and whether it is verified."""

    id: str
    known: bool
    heading: Text | None = None
    text: Text | None = None
    verified: bool = False


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    laws: tuple[CitedLaw, ...]


@dataclass(frozen=True)
class ManifestView:
    report: ManifestReport
    open: tuple[FindingView, ...]
    suppressed: tuple[FindingView, ...]
    # Checks that could not be made (a fact is not stated): listed apart, never among the violations.
    unconfirmed: tuple[FindingView, ...] = ()


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("consentgate.audit.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _law(citation: str) -> CitedLaw:
    catalog = load_catalog()
    if not catalog.resolves(citation):
        return CitedLaw(id=citation, known=False)
    entry = catalog.entry(citation)
    return CitedLaw(id=citation, known=True, heading=entry.heading, text=entry.text, verified=entry.verified)


def _view(finding: Finding) -> FindingView:
    return FindingView(finding=finding, laws=tuple(_law(c) for c in finding.citations))


def manifest_view(report: ManifestReport) -> ManifestView:
    return ManifestView(
        report=report,
        open=tuple(_view(f) for f in report.violations if not f.suppressed),
        suppressed=tuple(_view(f) for f in report.findings if f.suppressed),
        unconfirmed=tuple(_view(f) for f in report.unconfirmed),
    )


def _cited_once(manifests: list[ManifestView]) -> list[CitedLaw]:
    """Every law cited anywhere in the report, once, in order of first citation (for the appendix)."""
    seen: dict[str, CitedLaw] = {}
    for view in manifests:
        for finding in (*view.open, *view.suppressed):
            for law in finding.laws:
                seen.setdefault(law.id, law)
    return list(seen.values())


def render_html(document: AuditDocument, lang: Lang = "zh") -> str:
    """The whole report as one HTML document, escaped throughout (manifests are untrusted input)."""
    template = _environment().get_template(TEMPLATE)
    manifests = [manifest_view(r) for r in document.reports]
    return template.render(
        doc=document,
        lang=lang,
        html_lang=_HTML_LANG[lang],
        manifests=manifests,
        cited_laws=_cited_once(manifests),
        verdict=Verdict.of(document),
        severities=SEVERITIES,
        t=lambda key, **values: label(key, lang, **values),
        both=lambda key: message(key).bilingual(),
        severity_label=lambda severity: severity_label(severity, lang),
    )
