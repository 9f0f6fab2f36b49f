"""Erasing a person (PIPL 47, cancel-account AVIM 6.1 / GB/T 35273 8.5): every row that names them goes.

Which tables hold a person is data, not code spread over services: each table with a column naming a
person is listed here once, as erased, rewritten (kept, with the person's id replaced by their former
ref) or owned by the ledger (which erases its own). A test compares the list with the schema, so a
new table that names people cannot be forgotten. The append-only stores (consent events, audit log)
never held the id — only the ref — and stay as they are: the proof that processing was lawful survives,
linked to no one once the `subjects` row is gone. docs/deletion.md explains the design.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from consentgate.store.bulk import chunks, delete_counted
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
        "web_sessions": "subject",  # signed out on every device: nothing is left to be signed in as
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
        ("audit_records", "subject_ref"),
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


def _others_books(session: Session, tenant: str, subjects: Sequence[str]) -> Counter[str]:
    """Deletes other people's address-book entries of these people's own contacts; counts per person."""
    addresses = _table("messaging_subject_addresses")
    owner: dict[str, str] = {}
    for chunk in chunks(subjects):
        query = select(addresses.c.address_hash, addresses.c.subject).where(
            addresses.c.tenant_id == tenant, addresses.c.subject.in_(chunk)
        )
        owner.update((address, subject) for address, subject in session.execute(query).tuples())
    counted: Counter[str] = Counter()
    books = delete_counted(session, _table("address_book_entries"), "contact_hash", tenant, sorted(owner))
    for address, count in books.items():
        counted[owner[address]] += count
    return counted


def _close_details(
    session: Session,
    tenant: str,
    subjects: Sequence[str],
    closing: Mapping[str, Mapping[str, Any]],
    answering: Collection[str],
) -> None:
    """Replaces the details of the people's requests (all but `answering`) with `closing[subject]`."""
    requests = _table("rights_requests")
    earlier: list[dict[str, Any]] = []
    for chunk in chunks(subjects):
        query = select(requests.c.request_id, requests.c.subject).where(
            requests.c.tenant_id == tenant, requests.c.subject.in_(chunk)
        )
        earlier += [
            {"rid": request_id, "closing": dict(closing[subject])}
            for request_id, subject in session.execute(query).tuples()
            if request_id not in answering
        ]
    if earlier:
        session.execute(
            update(requests)
            .where(requests.c.tenant_id == tenant, requests.c.request_id == bindparam("rid"))
            .values(details=bindparam("closing")),
            earlier,
        )


def _rewrite_to_refs(session: Session, tenant: str, people: Mapping[str, str]) -> dict[str, Counter[str]]:
    """In the kept tables, puts each person's former ref where their id was; counts per person."""
    subjects = sorted(people)
    rewritten: dict[str, Counter[str]] = {subject: Counter() for subject in subjects}
    for name, column in REWRITTEN.items():
        table = _table(name)
        for chunk in chunks(subjects):
            where = (table.c.tenant_id == tenant, table.c[column].in_(chunk))
            counts = session.execute(
                select(table.c[column], func.count()).where(*where).group_by(table.c[column])
            )
            for subject, count in counts.tuples():
                rewritten[subject][name] += count
        session.execute(
            update(table)
            .where(table.c.tenant_id == tenant, table.c[column] == bindparam("who"))
            .values({column: bindparam("ref")}),
            [{"who": subject, "ref": people[subject]} for subject in subjects],
        )
    return rewritten


def erase_rows_in(
    session: Session,
    *,
    tenant: str,
    people: Mapping[str, str],
    closing: Mapping[str, Mapping[str, Any]],
    answering: Collection[str],
) -> dict[str, Erased]:
    """Deletes and rewrites every row outside the ledger that names one of `people` (subject -> former
    ref), in the caller's transaction; returns what went, per person.

    `closing[subject]` is written over the `details` of that person's rights requests other than those
    in `answering` (the erasure requests themselves, whose details the caller sets): details can hold
    personal values (a correction's new value), so they go too. Statements are per table for the whole
    batch, not per person: erasing a thousand people costs a few dozen statements, not fifty thousand.
    """
    subjects = sorted(people)
    removed: dict[str, Counter[str]] = {subject: Counter() for subject in subjects}
    for subject, count in _others_books(session, tenant, subjects).items():
        removed[subject][OTHERS_BOOKS] += count
    for name, column in ERASED.items():
        for subject, count in delete_counted(session, _table(name), column, tenant, subjects).items():
            removed[subject][name] += count
    _close_details(session, tenant, subjects, closing, answering)
    rewritten = _rewrite_to_refs(session, tenant, people)
    return {
        subject: Erased(
            removed=MappingProxyType({name: removed[subject][name] for name in (OTHERS_BOOKS, *ERASED)}),
            rewritten=MappingProxyType({name: rewritten[subject][name] for name in REWRITTEN}),
        )
        for subject in subjects
    }
