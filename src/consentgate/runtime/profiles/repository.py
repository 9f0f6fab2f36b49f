"""All profile queries; every one filtered by tenant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from consentgate.runtime.profiles.models import ProfileAttributeRow
from consentgate.runtime.profiles.schemas import Attribute, AttributeSource

_COLUMNS = tuple(ProfileAttributeRow.__table__.columns)
_KEY = frozenset({"tenant_id", "subject", "data_id"})


class ProfileRepository:
    def __init__(self, session: Session, *, tenant: str) -> None:
        self._session = session
        self._tenant = tenant

    def current(self, subject: str, data_id: str) -> ProfileAttributeRow | None:
        return self._session.scalars(
            select(ProfileAttributeRow).where(
                ProfileAttributeRow.tenant_id == self._tenant,
                ProfileAttributeRow.subject == subject,
                ProfileAttributeRow.data_id == data_id,
            )
        ).one_or_none()

    def of_subject(self, subject: str) -> list[ProfileAttributeRow]:
        return list(
            self._session.scalars(
                select(ProfileAttributeRow)
                .where(ProfileAttributeRow.tenant_id == self._tenant, ProfileAttributeRow.subject == subject)
                .order_by(ProfileAttributeRow.data_id)
            )
        )

    def by_ids(self, subject: str, attribute_ids: Iterable[str]) -> dict[str, ProfileAttributeRow]:
        ids = list(attribute_ids)
        rows = self._session.scalars(
            select(ProfileAttributeRow).where(
                ProfileAttributeRow.tenant_id == self._tenant,
                ProfileAttributeRow.subject == subject,
                ProfileAttributeRow.attribute_id.in_(ids),
            )
        )
        return {row.attribute_id: row for row in rows}

    def replace(self, new: ProfileAttributeRow) -> None:
        """One current value: one upsert on (tenant, subject, item) replaces whatever value is there.

        A single statement, so concurrent writers of the same item cannot both insert: the last
        to commit wins, and nobody fails.
        """
        new.tenant_id = self._tenant
        values = {column.key: getattr(new, column.key) for column in _COLUMNS}
        insert = pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(ProfileAttributeRow).values(values)
        self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    ProfileAttributeRow.tenant_id,
                    ProfileAttributeRow.subject,
                    ProfileAttributeRow.data_id,
                ],
                set_={key: statement.excluded[key] for key in values if key not in _KEY},
            )
        )

    def delete(self, subject: str, attribute_id: str) -> None:
        self._session.execute(
            delete(ProfileAttributeRow).where(
                ProfileAttributeRow.tenant_id == self._tenant,
                ProfileAttributeRow.subject == subject,
                ProfileAttributeRow.attribute_id == attribute_id,
            )
        )


def to_attribute(row: ProfileAttributeRow) -> Attribute:
    return Attribute(
        attribute_id=row.attribute_id,
        subject=row.subject,
        data_id=row.data_id,
        value=row.value,
        source=AttributeSource(row.source),
        purposes=tuple(row.purposes),
        consent_event_id=row.consent_event_id,
        derived_from=tuple(row.derived_from),
        created_at=_aware(row.created_at),
    )


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything the runtime writes is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
