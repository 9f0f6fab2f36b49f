"""The Typer application and the error boundary: no traceback ever reaches a user."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from consentgate.errors import ConsentgateError
from consentgate.text import Lang

app = typer.Typer(
    name="consentgate",
    help="Privacy-as-code for apps under China's PIPL / 以代码描述并审查 App 的个人信息处理。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
law_app = typer.Typer(help="The law catalog / 法规目录", no_args_is_help=True)
app.add_typer(law_app, name="law")

EXIT_USAGE = 2
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(error: ConsentgateError, lang: Lang | None = None) -> typer.Exit:
    """Prints an error in the user's language (both when unknown) and gives the exit to raise."""
    if lang is None:
        stderr.print(error.render("zh"), markup=False)
        stderr.print(error.render("en"), markup=False)
    else:
        stderr.print(error.render(lang), markup=False)
    return typer.Exit(EXIT_USAGE)


@contextmanager
def reported(lang: Lang | None = None) -> Iterator[None]:
    """Turns a `ConsentgateError` raised inside the block into its bilingual message and exit 2."""
    try:
        yield
    except ConsentgateError as error:
        raise fail(error, lang) from None


def main() -> None:
    from consentgate.cli.commands import register_all

    register_all()
    try:
        app()
    except ConsentgateError as error:
        fail(error)
        sys.exit(EXIT_USAGE)
