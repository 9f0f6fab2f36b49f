"""Imports every command module so that each registers itself on the app."""

from consentgate.cli import audit_cmd  # noqa: F401
