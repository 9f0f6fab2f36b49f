"""`consentgate observe TARGET...`: a real browser walks an app's sign-up flow; the same rules judge it.

The command only wires things together, like `audit`: the targets, the batch run (`observe.run`), and
the shared report writers (`cli.report_output`). The browser, inference and rules live elsewhere, and
are imported only when the command runs, so that `consentgate --help` never loads Playwright.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from consentgate.audit.summary import EXIT_ERROR, FailOn, Summary
from consentgate.cli.app import app, fail, stderr
from consentgate.cli.report_output import LANGS, LangChoice, Outputs, write_reports
from consentgate.errors import ConsentgateError
from consentgate.text import Lang

if TYPE_CHECKING:
    from consentgate.audit.report.document import AuditDocument
    from consentgate.observe.run import BatchResult, ObserveOptions


def observe_exit_code(document: AuditDocument, batch: BatchResult) -> int:
    """2 when nothing could be observed; otherwise the findings of the targets that were observed decide
    (a target that could not be observed is reported as an error, but does not hide the others' result)."""
    if batch.nothing_observed:
        return EXIT_ERROR
    observed = [r for r in document.reports if not r.failed_to_load]
    return Summary.of(observed).exit_code(document.fail_on)


@dataclass(frozen=True)
class TraceOptions:
    """The options only trace targets use (issue 19)."""

    consent_at: str | None = None
    consent_request: str | None = None
    app_package: str | None = None


def _options(
    device: str | None,
    flow: Path | None,
    against: Path | None,
    manifest_out: Path | None,
    evidence: Path | None,
    jobs: int,
    keep_observations: bool,
    trace: TraceOptions,
    ray: bool,
    ray_address: str | None,
) -> ObserveOptions:
    from consentgate.manifest.loader import load_manifest
    from consentgate.observe.run import ObserveOptions
    from consentgate.observe.traces.run import parse_consent_at

    loaded_flow = None
    if flow is not None:
        from consentgate.observe.flow import load_flow

        loaded_flow = load_flow(flow)
    declared = load_manifest(str(against)).manifest if against is not None else None
    return ObserveOptions(
        device=device,
        flow=loaded_flow,
        declared=declared,
        evidence=evidence,
        manifest_out=manifest_out,
        jobs=jobs,
        keep_observations=keep_observations,
        consent_at=parse_consent_at(trace.consent_at),
        consent_request=trace.consent_request,
        app_package=trace.app_package,
        ray=ray or ray_address is not None,  # an address means Ray
        ray_address=ray_address,
    )


def _run(targets: list[str], options: ObserveOptions, root: Path, lang: Lang) -> BatchResult:
    """The batch, with a progress bar on stderr when it helps (a terminal, or more than one target)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from consentgate.audit.report.document import label
    from consentgate.observe.run import run_batch

    if not (stderr.is_terminal or len(targets) > 1):
        return run_batch(targets, options, root=root)
    progress = Progress(
        TextColumn(label("observe.progress", lang)),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=stderr.is_terminal,
    )
    with progress:
        task = progress.add_task("observe", total=len(targets))
        return run_batch(targets, options, root=root, progress=lambda _r: progress.advance(task))


def _print_errors(batch: BatchResult) -> None:
    """Both languages, as `audit` does: whoever reads the CI log reads one of them."""
    for report in batch.reports:
        for error in report.errors:
            stderr.print(f"[observe.error] {error.zh}", markup=False)
            stderr.print(f"[observe.error] {error.en}", markup=False)


@app.command()
def observe(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="http(s) URLs of sign-up flows, or trace files (camille .xls, HAR, JSON lines) / 注册流程的网址或运行轨迹文件",
            show_default=False,
        ),
    ] = None,
    urls: Annotated[
        Path | None,
        typer.Option("--urls", metavar="FILE", help="A file of URLs, one a line (# starts a comment)"),
    ] = None,
    device: Annotated[
        str | None,
        typer.Option("--device", metavar="NAME", help='Playwright device descriptor, e.g. "iPhone 13" (H5)'),
    ] = None,
    flow: Annotated[
        Path | None,
        typer.Option(
            "--flow", metavar="FLOW.yaml", help="Steps the walker cannot guess (clicks, fills, waits)"
        ),
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option("--against", metavar="MANIFEST", help="Report drift from this declared manifest"),
    ] = None,
    manifest_out: Annotated[
        Path | None,
        typer.Option(
            "--manifest-out",
            metavar="FILE",
            help="Write the inferred manifest (a folder for several targets)",
        ),
    ] = None,
    evidence: Annotated[
        Path | None,
        typer.Option("--evidence", metavar="DIR", help="Keep observations and screenshots in DIR"),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on", help="Fail (exit 1) on an open finding at or above this severity (default: medium)"
        ),
    ] = None,
    lang: Annotated[
        LangChoice | None,
        typer.Option("--lang", help="Language of the text, SARIF and HTML reports (default: zh)"),
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
        str | None,
        typer.Option("--html", metavar="FILE", help="Standalone HTML report with screenshots and timelines"),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Targets walked at once (browser contexts)")
    ] = 2,
    consent_at: Annotated[
        str | None,
        typer.Option(
            "--consent-at",
            metavar="TIME",
            help="Traces: the consent moment, ISO 8601 (2026-03-01T10:15:00+08:00)",
        ),
    ] = None,
    consent_request: Annotated[
        str | None,
        typer.Option(
            "--consent-request",
            metavar="PATTERN",
            help="HAR traces: a regex of the request that records the agreement",
        ),
    ] = None,
    app_package: Annotated[
        str | None,
        typer.Option("--app-package", metavar="NAME", help="Traces: the app's own package (com.example.app)"),
    ] = None,
    ray: Annotated[
        bool,
        typer.Option(
            "--ray", help="Run the batch on Ray (a local Ray with --jobs CPUs; needs consentgate[ray])"
        ),
    ] = False,
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address", metavar="ADDR", help="Run the batch on the Ray cluster at ADDR (implies --ray)"
        ),
    ] = None,
) -> None:
    """Observe sign-up flows in a real browser and audit what they do / 用真实浏览器走查注册流程并审查其行为。

    Chromium (Debian's, never a downloaded build) walks each TARGET: the refusal path first, then the
    acceptance path. What it sees becomes a partial manifest (unknown wherever it did not see), judged
    by the same rules as `consentgate audit`; every finding carries its evidence (screens, requests).

    Reports and exit codes as for `audit`: 0 nothing at or above --fail-on; 1 there is; 2 usage error,
    or no target could be observed at all. A target that cannot be observed (unreachable, TLS error,
    redirect loop) is reported with a bilingual error, and the batch goes on; one on which the browser
    crashes is tried again (--ray: in a fresh worker) and then reported.
    """
    from consentgate.audit.report.document import AuditDocument
    from consentgate.audit.report.observe_html import Observed, render_observe_html
    from consentgate.audit.report.text import summary_table, verdict
    from consentgate.observe.run import evidence_root, read_targets

    language: Lang = LANGS[lang] if lang is not None else "zh"
    try:
        listed = read_targets(targets or [], urls)
        outputs = Outputs.resolve({"text": text, "json": json_out, "sarif": sarif, "html": html}, None)
        trace = TraceOptions(consent_at, consent_request, app_package)
        keep = "html" in outputs.targets
        options = _options(device, flow, against, manifest_out, evidence, jobs, keep, trace, ray, ray_address)
        with evidence_root(options) as root:
            batch = _run(listed, options, root, language)
            _print_errors(batch)
            document = AuditDocument.build(
                batch.reports, fail_on=fail_on or FailOn.MEDIUM, generated_at=datetime.now(UTC)
            )
            observed = {r.target: Observed(r.observation, r.folder) for r in batch.results if r.observation}
            traces = {r.target: r.timeline for r in batch.results if r.timeline is not None}
            write_reports(
                outputs,
                document,
                language,
                html=lambda doc, lg: render_observe_html(doc, lg, observed=observed, traces=traces),
            )
        if not outputs.text_on_stdout():
            stderr.print(summary_table(document.summary, language))
            stderr.print(verdict(document, language))
    except ConsentgateError as error:
        raise fail(error) from None
    raise typer.Exit(observe_exit_code(document, batch))
