"""Imports every runtime domain's `models` module so that `Base.metadata` knows all tables."""

from __future__ import annotations

import functools
import importlib
import pkgutil

from sqlalchemy import MetaData

import consentgate.runtime as runtime
from consentgate.store.base import Base


@functools.cache  # the walk imports every package: once per process is enough
def all_tables() -> MetaData:
    for info in pkgutil.walk_packages(runtime.__path__, prefix="consentgate.runtime."):
        if info.name.endswith(".models"):
            importlib.import_module(info.name)
    return Base.metadata
