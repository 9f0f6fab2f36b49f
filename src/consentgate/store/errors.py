"""The store's own errors: a database that is not there, or not at this release's schema.

They live below the runtime (the store imports nothing above it); `consentgate.runtime.errors`
re-exports `DatabaseNotReady` under the name and code it always had.
"""

from __future__ import annotations

from consentgate.errors import ConsentgateError


class DatabaseNotReady(ConsentgateError):
    """Missing, never upgraded, older or newer than this release: only `consentgate db upgrade` fixes it."""

    code = "runtime.database_not_ready"
