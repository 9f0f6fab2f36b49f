"""The rule list as a terminal table, Markdown (docs/rules.md) or JSON, all from the rules' metadata.

Each rule shows its window, the days of conduct it judges (a manifest's `as_of` picks the rules),
and in Markdown each citation shows when its instrument was in force.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.table import Table

from consentgate.audit.report.document import label, severity_label
from consentgate.i18n import message
from consentgate.law.catalog import load_catalog
from consentgate.law.in_force import window_span, window_text
from consentgate.rules.base import Rule
from consentgate.text import Lang, Text


def rules_table(rules: Sequence[Rule], lang: Lang) -> Table:
    table = Table(title=label("rules.count", lang, count=len(rules)), title_justify="left")
    table.add_column(label("report.rule", lang), overflow="fold")
    table.add_column(label("report.severity", lang), no_wrap=True)
    table.add_column(label("rules.column_title", lang), ratio=3, overflow="fold")
    table.add_column(label("report.citations", lang), max_width=36)
    table.add_column(label("rules.window", lang), no_wrap=True)
    for rule in rules:
        table.add_row(
            rule.id,
            severity_label(rule.severity, lang),
            rule.title.in_(lang),
            ", ".join(rule.citations),
            _rule_window(rule, span=True).in_(lang),
        )
    return table


def _rule_window(rule: Rule, *, span: bool = False) -> Text:
    """The days of conduct the rule judges, flagged where the first rests on a date no source confirmed."""
    window = rule.window()
    text = window_span(window) if span else window_text(window)
    dated_by = load_catalog().entry(rule.citations[0]).in_force
    if dated_by.verified or dated_by.window.start != window.start:
        return text
    if span:  # a table cell: the mark alone (`law show` of the first citation says why)
        return Text(zh=f"{text.zh} ⚠", en=f"{text.en} ⚠")
    note = message("law.window.unverified")
    return Text(zh=f"{text.zh}（{note.zh}）", en=f"{text.en} ({note.en})")


def _both(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def _window_json(rule: Rule) -> dict[str, str | None]:
    """The first and last day of conduct the rule judges (last None: to this day)."""
    window = rule.window()
    last = window.last_day
    return {"first_day": window.start.isoformat(), "last_day": None if last is None else last.isoformat()}


def rules_json(rules: Sequence[Rule]) -> str:
    return (
        json.dumps(
            [
                {
                    "id": rule.id,
                    "pack": rule.pack,
                    "severity": rule.severity.value,
                    "title": _both(rule.title),
                    "citations": list(rule.citations),
                    "in_force": _window_json(rule),
                    "remediation": _both(rule.remediation),
                    "rationale": _both(rule.rationale),
                }
                for rule in rules
            ],
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _heading(key: str) -> str:
    return message(key).bilingual()


def _citation_line(citation: str) -> str:
    catalog = load_catalog()
    if not catalog.resolves(citation):
        return f"- `{citation}`"
    entry = catalog.entry(citation)
    note = "" if entry.verified else f" ({message('report.unverified').bilingual()})"
    return f"- `{citation}` — {entry.heading.zh} / {entry.heading.en}{note} — {window_text(entry.in_force).bilingual()}"


def _severity(rule: Rule) -> str:
    return f"{rule.severity.value} ({severity_label(rule.severity, 'zh')})"


def _section(rule: Rule) -> list[str]:
    return [
        f"## {rule.id}",
        "",
        f"**{rule.title.zh}**  ",
        f"**{rule.title.en}**",
        "",
        f"- {_heading('report.severity')}: {_severity(rule)}",
        f"- {_rule_window(rule).bilingual()}",
        f"- {_heading('rules.pack')}: `{rule.pack}`",
        "",
        f"**{_heading('rules.rationale')}**",
        "",
        f"{rule.rationale.zh}  ",
        rule.rationale.en,
        "",
        f"**{_heading('report.citations')}**",
        "",
        *(_citation_line(c) for c in rule.citations),
        "",
        f"**{_heading('report.remediation')}**",
        "",
        f"{rule.remediation.zh}  ",
        rule.remediation.en,
        "",
    ]


def rules_markdown(rules: Sequence[Rule]) -> str:
    """Bilingual whatever `--lang` says: docs/rules.md is read by counsel and engineers alike."""
    lines = [
        f"# {_heading('rules.title')}",
        "",
        f"<!-- {message('rules.generated').en} -->",
        f"> {message('rules.generated').zh}  ",
        f"> {message('rules.generated').en}",
        "",
        f"{message('rules.count', count=len(rules)).bilingual()}",
        "",
        f"| {_heading('report.rule')} | {_heading('report.severity')} | {_heading('rules.column_title')} "
        f"| {_heading('report.citations')} | {_heading('rules.window')} |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| [`{r.id}`](#{r.id.lower()}) | {_severity(r)} | {_cell(r.title.zh)}<br>{_cell(r.title.en)} "
            f"| {', '.join(r.citations)} | {_cell(_rule_window(r).zh)}<br>{_cell(_rule_window(r).en)} |"
            for r in rules
        ),
        "",
    ]
    for rule in rules:
        lines.extend(_section(rule))
    return "\n".join(lines).rstrip("\n") + "\n"
