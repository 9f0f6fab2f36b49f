"""What every service of one tenant shares: its database, tenant, clock, ids, audit log, manifest and policy.

The engine builds one `TenantContext` and each service from it plus only its own collaborators
(`NoticeService.of(ctx, journal=...)`), so the shared ones are said once and a new service is one
line of wiring. The services' constructors still take each part by name (tests pass fakes for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from consentgate.manifest.models import Manifest
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.store.database import Database

if TYPE_CHECKING:  # the type only: the audit log's package is a service, above this module
    from consentgate.runtime.auditlog.service import AuditLog


class Scope(TypedDict):
    """The keywords most services take from the context: whose data, the time, new ids, the audit log."""

    tenant: str
    clock: Clock
    ids: IdFactory
    audit: AuditLog


@dataclass(frozen=True)
class TenantContext:
    """One tenant's shared collaborators; frozen, so no service can swap a part under another."""

    db: Database
    tenant: str
    clock: Clock
    ids: IdFactory
    audit: AuditLog
    manifest: Manifest
    policy: Policy

    @property
    def scope(self) -> Scope:
        """`Service(ctx.db, **ctx.scope, ...)`: the tenant, clock, ids and audit log as keywords."""
        return Scope(tenant=self.tenant, clock=self.clock, ids=self.ids, audit=self.audit)
