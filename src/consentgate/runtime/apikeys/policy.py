"""Who may do what to a person's rights request and web sessions: one table, read by the API and the console.

Erasing a person's data and deciding who they are are the two steps a deletion cannot take back, so
both are reserved for `admin`: fulfilling any request (a deletion's fulfilment erases, and one rule for
every kind is one the console can show as one button set) and verifying identity (after it, a deletion
can run), and refusing, which closes a request the person is owed an answer to. An app's backend files
requests for its signed-in users and hands out their copies, so filing and exporting stay with
`app-backend`; a person's own erasure in the privacy center is theirs, not an operator's, and needs no
key (they are signed in through their app's link, the identity check PIPL 50 asks).

The HTTP API (`service/auth.allowed_to`) and the console (`OperatorContext.require_to`) both look the
needed scope up here, so they cannot drift apart; a test walks the table through both.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from consentgate.runtime.apikeys.schemas import Principal, Scope


class Operation(StrEnum):
    FILE_REQUEST = "file-request"
    VERIFY_IDENTITY = "verify-identity"
    FULFIL_REQUEST = "fulfil-request"  # for a deletion or an account cancellation: erasure
    REFUSE_REQUEST = "refuse-request"
    EXPORT_COPY = "export-copy"
    END_SESSIONS = "end-sessions"  # sign a person out everywhere (their app's backend may: a stolen phone)


NEEDED: Mapping[Operation, Scope] = MappingProxyType(
    {
        Operation.FILE_REQUEST: Scope.APP_BACKEND,
        Operation.VERIFY_IDENTITY: Scope.ADMIN,
        Operation.FULFIL_REQUEST: Scope.ADMIN,
        Operation.REFUSE_REQUEST: Scope.ADMIN,
        Operation.EXPORT_COPY: Scope.APP_BACKEND,
        Operation.END_SESSIONS: Scope.APP_BACKEND,
    }
)


def may(principal: Principal, operation: Operation) -> bool:
    return principal.allows(NEEDED[operation])
