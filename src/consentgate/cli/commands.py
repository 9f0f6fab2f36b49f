"""Imports every `*_cmd` module of this package so that each registers its commands on the app."""

from __future__ import annotations

import importlib
import pkgutil

import consentgate.cli as package


def register_all() -> None:
    for info in pkgutil.iter_modules(package.__path__, prefix="consentgate.cli."):
        if info.name.endswith("_cmd"):
            importlib.import_module(info.name)
