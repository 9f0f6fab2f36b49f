"""`consentgate audit PATH...`: audit manifests and write the reports a team or its counsel needs.

The command only wires things together: settings (flags over config file), the batch run, the
baseline, and one writer per report format. Every decision lives in `consentgate.audit`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from consentgate.audit.baseline import Baseline
from consentgate.audit.batch import audit_all, collect, default_jobs
from consentgate.audit.config import load_config
from consentgate.audit.findings import ManifestReport
from consentgate.audit.report.document import AuditDocument, label
from consentgate.audit.report.html import render_html
from consentgate.audit.report.text import summary_table, verdict
from consentgate.audit.summary import FailOn
from consentgate.cli.app import app, fail, stderr
from consentgate.cli.report_output import LANGS, LangChoice, Outputs, write_reports
from consentgate.errors import ConsentgateError
from consentgate.text import Lang


def _run(files: list[str], jobs: int, lang: Lang) -> list[ManifestReport]:
    """The batch, with a progress bar on stderr when it helps (a terminal, or more than one file)."""
    if not (stderr.is_terminal or len(files) > 1):
        return audit_all(files, jobs=jobs)
    progress = Progress(
        TextColumn(label("report.progress", lang)),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=stderr.is_terminal,
    )
    with progress:
        task = progress.add_task("audit", total=len(files))
        return audit_all(files, jobs=jobs, progress=lambda _report: progress.advance(task))


def _print_load_errors(reports: list[ManifestReport]) -> None:
    """Both languages: CI logs are read by whoever is on call, in whichever language they read."""
    for report in reports:
        for error in report.errors:
            stderr.print(f"[manifest.invalid] {error.zh}", markup=False)
            stderr.print(f"[manifest.invalid] {error.en}", markup=False)


@app.command()
def audit(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Manifest files or folders (every *.yaml/*.yml below) / 清单文件或目录"),
    ],
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Fail (exit 1) on an open finding at or above this severity (default: medium, or from config)",
        ),
    ] = None,
    lang: Annotated[
        LangChoice | None,
        typer.Option(
            "--lang", help="Language of the text, SARIF and HTML reports (default: zh, or from config)"
        ),
    ] = None,
    text: Annotated[
        str | None,
        typer.Option("--text", metavar="FILE", help="Text report to FILE (default: standard output)"),
    ] = None,
    json_out: Annotated[
        str | None, typer.Option("--json", metavar="FILE", help="JSON report to FILE")
    ] = None,
    sarif: Annotated[
        str | None, typer.Option("--sarif", metavar="FILE", help="SARIF 2.1.0 report to FILE")
    ] = None,
    html: Annotated[
        str | None, typer.Option("--html", metavar="FILE", help="Standalone HTML report to FILE")
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", metavar="FILE", help="Accept the findings listed in this baseline"),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline", metavar="FILE", help="Write every open finding to a new baseline FILE"
        ),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Parallel processes (default: number of CPUs)")
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="Settings file (default: nearest consentgate.toml or pyproject.toml)",
        ),
    ] = None,
) -> None:
    """Audit processing manifests against the law / 依法审查个人信息处理清单。

    Reports: the text report goes to standard output unless --text FILE says otherwise; add
    --json FILE, --sarif FILE and --html FILE for the other formats, each at most once. FILE "-"
    means standard output, which only one report may use (the text report then stays off it).

    Exit codes: 0 no open finding at or above --fail-on; 1 there is one; 2 usage or input error
    (a manifest that does not load, a bad baseline or configuration). Findings suppressed in the
    manifest or accepted in the baseline never fail a run. --write-baseline accepts every open
    finding of this run, so that run exits 0 unless a manifest failed to load.

    Settings: the tool.consentgate table of the nearest pyproject.toml, or a consentgate.toml, with
    keys fail-on, lang, jobs, baseline and a table outputs = {text, json, sarif, html}; flags win.
    """
    try:
        config = load_config(config_file)
        settings = config.settings
        language = LANGS[lang] if lang is not None else (settings.lang or "zh")
        threshold = fail_on or settings.fail_on or FailOn.MEDIUM
        outputs = Outputs.resolve({"text": text, "json": json_out, "sarif": sarif, "html": html}, config)
        accepted = baseline or config.path(settings.baseline)
        known = Baseline.read(accepted) if accepted is not None and write_baseline is None else None
        files = collect(paths)
        reports = _run(files, jobs or settings.jobs or default_jobs(), language)
        _print_load_errors(reports)
        if write_baseline is not None:
            known = Baseline.of(write_baseline, reports)
            # A partial run would silently drop the accepted findings of the manifests that failed.
            if not any(r.failed_to_load for r in reports):
                known.write()
        if known is not None:
            reports = known.apply(reports)
        document = AuditDocument.build(
            reports, fail_on=threshold, generated_at=datetime.now(UTC), baseline_used=known is not None
        )
        write_reports(outputs, document, language, html=render_html)
        if not outputs.text_on_stdout():
            stderr.print(summary_table(document.summary, language))
            stderr.print(verdict(document, language))
    except ConsentgateError as error:
        raise fail(error) from None
    raise typer.Exit(document.exit_code)
