"""`consentgate audit PATH...` (minimal first version; formats grow in audit/report/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from consentgate.audit.engine import audit_file
from consentgate.cli.app import app
from consentgate.text import Lang


@app.command()
def audit(
    paths: Annotated[list[Path], typer.Argument(help="Manifest files or folders / 清单文件或目录")],
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Audit manifests against the law / 依法审查清单。"""
    language: Lang = "en" if lang == "en" else "zh"
    reports = [audit_file(str(p)) for p in paths]
    if as_json:
        typer.echo(
            json.dumps([{"path": r.path, "findings": [f.rule_id for f in r.findings]} for r in reports])
        )
        return
    worst = 0
    for report in reports:
        for error in report.errors:
            typer.echo(error.in_(language), err=True)
            worst = 2
        for finding in report.findings:
            loc = finding.location
            typer.echo(
                f"{loc.path}:{loc.line}:{loc.column} {finding.severity} {finding.rule_id} {finding.message.in_(language)}"
            )
            if finding.active and finding.severity.rank >= 2:
                worst = max(worst, 1)
    raise typer.Exit(worst)
