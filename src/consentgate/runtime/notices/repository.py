"""Queries on notice versions, every one filtered by tenant. Versions are only ever added."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentgate.runtime.notices.models import NoticeVersionRow
from consentgate.runtime.notices.schemas import ChangeKind, NoticeVersion
from consentgate.text import Text


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns; every time we store is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def to_version(row: NoticeVersionRow) -> NoticeVersion:
    return NoticeVersion(
        notice_id=row.notice_id,
        version=row.version,
        seq=row.seq,
        content_hash=row.content_hash,
        text=Text(zh=row.text_zh, en=row.text_en),
        purposes=frozenset(row.purposes),
        data=frozenset(row.data),
        recipients=frozenset(row.recipients),
        change=ChangeKind(row.change),
        affected_purposes=frozenset(row.affected_purposes),
        previous_version=row.previous_version,
        published_at=_utc(row.published_at),
    )


class NoticeRepository:
    def __init__(self, tenant: str) -> None:
        self.tenant = tenant

    def all_versions(self, session: Session) -> list[NoticeVersion]:
        """Every version of every notice of the tenant, in publication order."""
        rows = session.scalars(
            select(NoticeVersionRow)
            .where(NoticeVersionRow.tenant_id == self.tenant)
            .order_by(NoticeVersionRow.seq)
        )
        return [to_version(row) for row in rows]

    def latest(self, session: Session, notice_id: str) -> NoticeVersion | None:
        row = session.scalars(
            select(NoticeVersionRow)
            .where(NoticeVersionRow.tenant_id == self.tenant, NoticeVersionRow.notice_id == notice_id)
            .order_by(NoticeVersionRow.seq.desc())
            .limit(1)
        ).first()
        return to_version(row) if row else None

    def find(self, session: Session, notice_id: str, version: str) -> NoticeVersion | None:
        row = session.scalars(
            select(NoticeVersionRow).where(
                NoticeVersionRow.tenant_id == self.tenant,
                NoticeVersionRow.notice_id == notice_id,
                NoticeVersionRow.version == version,
            )
        ).first()
        return to_version(row) if row else None

    def add(self, session: Session, version: NoticeVersion) -> NoticeVersion:
        """Inserts a new version; the store assigns its publication `seq`."""
        row = NoticeVersionRow(
            tenant_id=self.tenant,
            notice_id=version.notice_id,
            version=version.version,
            content_hash=version.content_hash,
            text_zh=version.text.zh,
            text_en=version.text.en,
            purposes=sorted(version.purposes),
            data=sorted(version.data),
            recipients=sorted(version.recipients),
            change=version.change.value,
            affected_purposes=sorted(version.affected_purposes),
            previous_version=version.previous_version,
            published_at=version.published_at,
        )
        session.add(row)
        session.flush()
        return to_version(row)
