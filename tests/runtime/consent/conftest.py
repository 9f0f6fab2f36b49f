"""Ledger fixtures live in tests/runtime/conftest.py; the ledger tests import these names from here."""

from tests.runtime.conftest import NOTICE, TENANT, publish_notice

__all__ = ["NOTICE", "TENANT", "publish_notice"]
