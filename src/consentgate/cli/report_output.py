"""Report options and writers that `audit` and `observe` share, so both commands handle them alike.

Where each report goes (a file, or `-` for standard output, which only one report may use) and how it
is written; the HTML renderer is the caller's, because the observe report embeds screenshots and a
timeline that the script-free audit report must not have.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from consentgate.audit.config import AuditConfig
from consentgate.audit.report.document import AuditDocument
from consentgate.audit.report.json_report import render_json
from consentgate.audit.report.sarif import render_sarif
from consentgate.audit.report.text import render_text
from consentgate.errors import UsageError
from consentgate.text import Lang

STDOUT = "-"
HtmlRenderer = Callable[[AuditDocument, Lang], str]


class LangChoice(StrEnum):
    ZH = "zh"
    EN = "en"


LANGS: dict[LangChoice, Lang] = {LangChoice.ZH: "zh", LangChoice.EN: "en"}
# The file formats besides HTML; the text report is printed through rich instead (see `_write_text`).
_RENDERERS: dict[str, HtmlRenderer] = {
    "json": lambda document, _lang: render_json(document),
    "sarif": render_sarif,
}


@dataclass(frozen=True)
class Outputs:
    """Report format → target (a file path, or `-` for standard output)."""

    targets: dict[str, str]

    @classmethod
    def resolve(cls, flags: dict[str, str | None], config: AuditConfig | None) -> Outputs:
        """Flags win over the configuration's outputs table (none for commands that take no config)."""
        from_config: dict[str, str | None] = {}
        if config is not None:
            configured = config.settings.outputs
            from_config = {
                "text": configured.text,
                "json": configured.json_,
                "sarif": configured.sarif,
                "html": configured.html,
            }
        targets: dict[str, str] = {}
        for fmt, flag in flags.items():
            value = flag if flag is not None else _as_target(config, from_config.get(fmt))
            if value is not None:
                targets[fmt] = value
        on_stdout = [f"--{fmt}" for fmt, target in targets.items() if target == STDOUT]
        if len(on_stdout) > 1:
            raise UsageError.from_key("error.stdout_taken", first=on_stdout[0], second=on_stdout[1])
        if "text" not in targets and not on_stdout:
            targets["text"] = STDOUT
        return cls(targets)

    def text_on_stdout(self) -> bool:
        return self.targets.get("text") == STDOUT


def _as_target(config: AuditConfig | None, value: str | None) -> str | None:
    if config is None:
        return None
    path = config.path(value)
    return None if path is None else (STDOUT if value == STDOUT else str(path))


def write(target: str, content: str) -> None:
    if target == STDOUT:
        typer.echo(content, nl=False)
        return
    path = Path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, "utf-8")
    except OSError as exc:
        raise UsageError.from_key(
            "error.cannot_write", path=target, problem=exc.strerror or str(exc)
        ) from None


def _write_text(target: str, document: AuditDocument, lang: Lang) -> None:
    if target == STDOUT:
        render_text(document, Console(highlight=False, soft_wrap=True), lang)
        return
    console = Console(
        record=True, highlight=False, soft_wrap=True, color_system=None, width=120, file=io.StringIO()
    )
    render_text(document, console, lang)
    write(target, console.export_text())


def write_reports(outputs: Outputs, document: AuditDocument, lang: Lang, *, html: HtmlRenderer) -> None:
    """Every requested report, each to its target."""
    for fmt, target in outputs.targets.items():
        if fmt == "text":
            _write_text(target, document, lang)
        elif fmt == "html":
            write(target, html(document, lang))
        else:
            write(target, _RENDERERS[fmt](document, lang))
