"""Every table that names a person is covered by the erasure: a new one cannot be forgotten."""

from __future__ import annotations

from consentgate.runtime.rights.erasure import ERASED, LEDGER_OWNED, PERSON_COLUMNS, REF_ONLY, REWRITTEN
from consentgate.store.tables import all_tables


def test_every_column_naming_a_person_is_erased_rewritten_or_holds_only_refs() -> None:
    naming = {
        (table.name, column.name)
        for table in all_tables().sorted_tables
        for column in table.columns
        if column.name in PERSON_COLUMNS
    }
    covered = (
        {(table, column) for table, column in naming if table in ERASED}  # the whole row goes
        | {(table, column) for table, column in REWRITTEN.items()}
        | {(table, "subject") for table in LEDGER_OWNED}
        | REF_ONLY
    )
    assert naming - covered == set(), "a table names people but the erasure does not know it"
    assert covered - naming == set(), "the erasure names a column the schema no longer has"
    assert {(table, column) for table, column in ERASED.items()} <= naming


def test_the_append_only_stores_never_hold_a_subject_id_column() -> None:
    tables = all_tables().tables
    assert "subject" not in tables["consent_events"].columns
    assert {c.name for c in tables["audit_records"].columns} & PERSON_COLUMNS == {"subject_ref"}
