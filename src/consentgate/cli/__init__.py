"""The `consentgate` command line (Typer). Each sub-command lives in its own module."""

from __future__ import annotations

from consentgate.cli.app import app, main

__all__ = ["app", "main"]
