"""Erasing a person (PIPL 47, cancel-account AVIM 6.1 / GB/T 35273 8.5): every row that names them goes.

Which tables hold a person is data, not code spread over services: each table with a column naming a
person is listed here once, as erased, rewritten (kept, with the person's id replaced by their former
ref) or owned by the ledger (which erases its own). A test compares the list with the schema, so a
new table that names people cannot be forgotten. The append-only stores (consent events, audit log)
never held the id — only the ref — and stay as they are: the proof that processing was lawful survives,
linked to no one once the `subjects` row is gone. docs/deletion.md explains the design.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from consentgate.store.tables import all_tables

# Table -> the column naming the person: their rows are deleted.
ERASED: Mapping[str, str] = MappingProxyType(
    {
        "profile_attributes": "subject",
        "onboarding_answers": "subject",
        "onboarding_screens": "subject",
        "push_deliveries": "subject",
        "push_attempts": "subject",
        "messages": "subject",
        "unsubscribe_tokens": "subject",
        "address_book_entries": "owner",
        "messaging_subject_addresses": "subject",
        "transfers": "subject",
        "rights_exports": "subject",
    }
)
# Table -> column: rows kept as proof that something owed was done (a request answered, a recipient
# told to delete), with the person's id replaced by their former ref.
REWRITTEN: Mapping[str, str] = MappingProxyType(
    {"rights_requests": "subject", "recipient_notifications": "subject"}
)
# The ledger erases these itself (`ConsentLedger.erase_in`): its projection and the ref mapping.
LEDGER_OWNED = frozenset({"subjects", "consent_state"})
# Columns that hold only refs or recipients' pseudonyms, never an id: nothing to do.
REF_ONLY = frozenset(
    {
        ("consent_events", "subject_ref"),
        ("deletion_certificates", "subject_ref"),
        ("recipient_notifications", "subject_ref"),
        ("fact_changes", "subject_ref"),
    }
)
# Column names that name a person; every table having one must be covered above (tested).
PERSON_COLUMNS = frozenset({"subject", "owner", "subject_ref"})
# Other people's address books hold this person's contact as a keyed hash: those entries go too.
OTHERS_BOOKS = "address_book_entries (others' uploads)"


@dataclass(frozen=True)
class Erased:
    """Rows removed per table, and the rows kept under the person's former ref."""

    removed: Mapping[str, int]
    rewritten: Mapping[str, int]


def _table(name: str) -> Table:
    return all_tables().tables[name]


def erase_rows_in(
    session: Session,
    *,
    tenant: str,
    subject: str,
    ref: str,
    closing: Mapping[str, Any],
    answering: str,
) -> Erased:
    """Deletes and rewrites every row outside the ledger that names `subject`, in the caller's transaction.

    `closing` is written over the `details` of the person's rights requests other than `answering`
    (the erasure request itself, whose details the caller sets): details can hold personal values (a
    correction's new value), so they go too, and each request keeps only what it was.
    """
    removed: dict[str, int] = {}
    books, addresses = _table("address_book_entries"), _table("messaging_subject_addresses")
    their_contacts = select(addresses.c.address_hash).where(
        addresses.c.tenant_id == tenant, addresses.c.subject == subject
    )
    result = session.execute(
        delete(books).where(books.c.tenant_id == tenant, books.c.contact_hash.in_(their_contacts))
    )
    removed[OTHERS_BOOKS] = _count(result)
    for name, column in ERASED.items():
        table = _table(name)
        result = session.execute(delete(table).where(table.c.tenant_id == tenant, table.c[column] == subject))
        removed[name] = _count(result)
    requests = _table("rights_requests")
    session.execute(
        update(requests)
        .where(
            requests.c.tenant_id == tenant,
            requests.c.subject == subject,
            requests.c.request_id != answering,
        )
        .values(details=dict(closing))
    )
    rewritten: dict[str, int] = {}
    for name, column in REWRITTEN.items():
        table = _table(name)
        result = session.execute(
            update(table).where(table.c.tenant_id == tenant, table.c[column] == subject).values({column: ref})
        )
        rewritten[name] = _count(result)
    return Erased(removed=MappingProxyType(removed), rewritten=MappingProxyType(rewritten))


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
