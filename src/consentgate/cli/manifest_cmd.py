"""`consentgate schema | init | validate`: write, describe and check a manifest before auditing it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from consentgate.cli.app import EXIT_USAGE, fail, stderr
from consentgate.cli.app import app as cli
from consentgate.cli.law_cmd import LangArg, chosen_langs
from consentgate.errors import ConsentgateError, ManifestErrors
from consentgate.i18n import message
from consentgate.manifest.loader import load_manifest
from consentgate.manifest.schema import manifest_schema
from consentgate.manifest.starter import write_starter
from consentgate.text import Lang, Text


def _echo(text: Text, langs: tuple[Lang, ...]) -> None:
    for lang in langs:
        typer.echo(text.in_(lang))


@cli.command()
def schema(
    report: Annotated[
        bool,
        typer.Option(
            "--report", help="The JSON audit report's schema instead / 改为输出 JSON 审查报告的 Schema"
        ),
    ] = False,
) -> None:
    """Print the manifest's JSON Schema for editors / 输出清单的 JSON Schema，供编辑器补全与校验。"""
    if report:
        from consentgate.audit.report.json_schema import report_schema

        typer.echo(json.dumps(report_schema(), ensure_ascii=False, indent=2))
        return
    typer.echo(json.dumps(manifest_schema(), ensure_ascii=False, indent=2))


@cli.command()
def init(
    app_type: Annotated[
        str,
        typer.Option("--type", help="App type slug, see `consentgate law app-types` / App 类型标识"),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write / 输出文件")] = Path(
        "consentgate.yaml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file / 覆盖已有文件")] = False,
    lang: LangArg = None,
) -> None:
    """Write a starter manifest that audits clean / 生成可通过审查的初始清单。"""
    try:
        written = write_starter(app_type, output, force=force)
    except ConsentgateError as error:
        raise fail(error) from None
    _echo(message("init.written", path=str(output), type=written), chosen_langs(lang))


@cli.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Manifest files / 清单文件")],
    lang: LangArg = None,
) -> None:
    """Check that manifests load: syntax, fields, references / 检查清单能否正确载入。"""
    langs = chosen_langs(lang)
    failed = False
    for path in paths:
        try:
            loaded = load_manifest(path)
        except ManifestErrors as problems:
            failed = True
            for error in problems.errors:
                for language in langs:
                    stderr.print(error.text.in_(language), markup=False)
            continue
        manifest = loaded.manifest
        ok = message(
            "validate.ok",
            path=str(path),
            app=manifest.app.name,
            data=len(manifest.data),
            purposes=len(manifest.purposes),
            screens=len(manifest.onboarding),
        )
        _echo(ok, langs)
    if failed:
        raise typer.Exit(EXIT_USAGE)
