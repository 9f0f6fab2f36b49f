"""Keys leave the database: `sharing_secrets` is dropped; hashes and pseudonyms record their key version.

The per-tenant pseudonym secret used to sit in `sharing_secrets`, beside the hashes it keyed, so one
dump plus an enumeration of the ~10^10 mobile numbers reversed every address-book hash and every
pseudonym. From here on the keys come from a key provider outside the database (docs/keys.md).

A database that still holds a stored secret is **refused** (`StoredSecretsFound`): dropping it would
make every existing hash and pseudonym unrecoverable, and keeping it would keep the hole. Run
`consentgate key export-legacy --out FILE` once — it writes the secrets to a key file (mode 0600) as
legacy tenant keys and deletes them from the table — then upgrade. Rows made before this revision are
marked `key_version = 'legacy'`, the version id that command gives them.

Revision ID: 0011_keys_outside
Revises: 0010_api_keys
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consentgate.runtime.keys.errors import StoredSecretsFound

revision = "0011_keys_outside"
down_revision = "0010_api_keys"
branch_labels = None
depends_on = None

LEGACY = "legacy"  # the version id `consentgate key export-legacy` gives the exported secrets
_VERSIONED = ("transfers", "address_book_entries", "messaging_subject_addresses")


def _refuse_stored_secrets() -> None:
    count = op.get_bind().execute(sa.text("SELECT count(*) FROM sharing_secrets")).scalar_one()
    if count:
        raise StoredSecretsFound.from_key("keys.stored_secrets", count=count)


def upgrade() -> None:
    _refuse_stored_secrets()
    op.drop_table("sharing_secrets")
    for table in _VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("key_version", sa.String(length=16), nullable=False, server_default=LEGACY)
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column("key_version", server_default=None)
    # A person's own address is kept once per live key version.
    with op.batch_alter_table("messaging_subject_addresses") as batch:
        batch.drop_constraint("pk_messaging_subject_addresses", type_="primary")
        batch.create_primary_key(
            "pk_messaging_subject_addresses", ["tenant_id", "subject", "channel", "key_version"]
        )


def downgrade() -> None:
    # Only the rows of one version fit the old key; the legacy ones are what the old code can read.
    op.execute(
        sa.text("DELETE FROM messaging_subject_addresses WHERE key_version <> :v").bindparams(v=LEGACY)
    )
    op.execute(sa.text("DELETE FROM address_book_entries WHERE key_version <> :v").bindparams(v=LEGACY))
    with op.batch_alter_table("messaging_subject_addresses") as batch:
        batch.drop_constraint("pk_messaging_subject_addresses", type_="primary")
        batch.create_primary_key("pk_messaging_subject_addresses", ["tenant_id", "subject", "channel"])
    for table in _VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("key_version")
    op.create_table(
        "sharing_secrets",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_sharing_secrets"),
    )
