"""Messaging tables: campaigns, the message log, unsubscribe tokens, and hashed contact points.

No raw phone number or email is ever stored here: contact points are keyed HMAC-SHA256 hashes
(`address_hash`, `contact_hash`), one row per live key version (`key_version`; the keys live outside
the database, docs/keys.md), and unsubscribe tokens are stored as SHA-256 hashes. The raw address of
a consenting subject is looked up, gate-checked, at the moment of sending.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, PrimaryKeyConstraint, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from consentgate.store.base import Base, JsonDocument, TenantScoped

# Like `JsonDocument`, but Python None is stored as SQL NULL rather than as the JSON value null.
_NullableJson: TypeEngine[Any] = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class CampaignRow(TenantScoped, Base):
    """A marketing campaign: one channel, the manifest purpose covering it, and a bilingual text."""

    __tablename__ = "messaging_campaigns"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "campaign_id"),)

    campaign_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(80))
    text: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    created_at: Mapped[datetime]


class MessageRow(TenantScoped, Base):
    """One attempt to message someone: what happened to it, and why.

    A campaign has at most one row per subject, so a resumed campaign never sends twice; a row that
    reached `sending` is never sent again, even if the process died before recording the receipt.
    """

    __tablename__ = "messages"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "message_id"),
        UniqueConstraint("tenant_id", "campaign_id", "subject", name="uq_messages_campaign_subject"),
        Index("ix_messages_frequency", "tenant_id", "subject", "channel", "dispatched_at"),
        Index("ix_messages_due", "tenant_id", "status", "not_before"),
    )

    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[str | None] = mapped_column(String(80))
    subject: Mapped[str | None] = mapped_column(String(200))  # None: an address that is nobody we know
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64))
    address_hash: Mapped[str | None] = mapped_column(String(64))
    token_hash: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[dict[str, Any] | None] = mapped_column(_NullableJson)  # only for non-campaign messages
    consent_event_id: Mapped[str | None] = mapped_column(String(64))
    receipt: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(500))
    not_before: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class UnsubscribeTokenRow(TenantScoped, Base):
    """An unsubscribe token (its hash) and the withdrawal it caused, so a replay changes nothing."""

    __tablename__ = "unsubscribe_tokens"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "token_hash"),
        Index("ix_unsubscribe_tokens_subject", "tenant_id", "subject"),
        Index("ix_unsubscribe_tokens_hash", "token_hash"),  # the public link names no tenant
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    event_id: Mapped[str | None] = mapped_column(String(64))


class AddressBookEntryRow(TenantScoped, Base):
    """One contact of one owner's uploaded address book, as a keyed hash only (one row per key version)."""

    __tablename__ = "address_book_entries"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "owner", "contact_hash"),
        Index("ix_address_book_entries_contact", "tenant_id", "contact_hash"),  # whose books hold a person
    )

    owner: Mapped[str] = mapped_column(String(200), primary_key=True)
    contact_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_version: Mapped[str] = mapped_column(String(16))
    uploaded_at: Mapped[datetime]


class SubjectAddressRow(TenantScoped, Base):
    """A subject's own contact point on a channel, as a keyed hash (one row per key version): how an
    address is matched to a person."""

    __tablename__ = "messaging_subject_addresses"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "subject", "channel", "key_version"),
        Index("ix_messaging_subject_addresses_hash", "tenant_id", "address_hash"),
    )

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    key_version: Mapped[str] = mapped_column(String(16), primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime]
