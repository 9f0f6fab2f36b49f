"""All API key queries. Managing keys is filtered by tenant; `find` alone is not, by design: a key
presented to the service is what tells us its tenant."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from consentgate.runtime.apikeys.models import ApiKeyRow
from consentgate.runtime.apikeys.schemas import KeyInfo, parse_scopes


class ApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: ApiKeyRow) -> None:
        self._session.add(row)
        self._session.flush()

    def find(self, key_id: str) -> ApiKeyRow | None:
        """The key with this public id, in whichever tenant holds it (the only unscoped query)."""
        return self._session.scalars(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id)).one_or_none()

    def of_tenant(self, tenant: str) -> list[ApiKeyRow]:
        query = select(ApiKeyRow).where(ApiKeyRow.tenant_id == tenant)
        return list(self._session.scalars(query.order_by(ApiKeyRow.created_at, ApiKeyRow.key_id)))

    def one(self, tenant: str, key_id: str, *, lock: bool = False) -> ApiKeyRow | None:
        query = select(ApiKeyRow).where(ApiKeyRow.tenant_id == tenant, ApiKeyRow.key_id == key_id)
        return self._session.scalars(query.with_for_update() if lock else query).one_or_none()

    def touch(self, key_id: str, now: datetime, *, unless_since: datetime) -> None:
        """Sets `last_used_at`, unless another process already did after `unless_since`."""
        self._session.execute(
            update(ApiKeyRow)
            .where(
                ApiKeyRow.key_id == key_id,
                or_(ApiKeyRow.last_used_at.is_(None), ApiKeyRow.last_used_at <= unless_since),
            )
            .values(last_used_at=now)
        )


def to_info(row: ApiKeyRow) -> KeyInfo:
    return KeyInfo(
        key_id=row.key_id,
        tenant=row.tenant_id,
        name=row.name,
        scopes=parse_scopes(row.scopes),
        created_at=aware(row.created_at),
        revoked_at=None if row.revoked_at is None else aware(row.revoked_at),
        last_used_at=None if row.last_used_at is None else aware(row.last_used_at),
    )


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything the runtime writes is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
