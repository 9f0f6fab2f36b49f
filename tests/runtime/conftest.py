"""Every runtime test runs on SQLite and on PostgreSQL.

Each PostgreSQL run makes its own database and drops it afterwards. Where PostgreSQL cannot be
reached the PostgreSQL half is skipped with a loud reason — except in CI (`CI=true`), where a
missing PostgreSQL is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from consentgate.manifest.loader import load_manifest
from consentgate.manifest.models import Manifest
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.keys import ENV_KEY_FILE, ENV_KEYS, KeyEntry, KeyRing
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.policy import Policy, compile_policy
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from consentgate.store.scratch import scratch_postgres
from consentgate.text import Text

SEED_FIXED = Path(__file__).parents[2] / "examples" / "seed-case" / "fixed.yaml"
TENANT = "seed-app"

PG_ADMIN_URL = os.environ.get(
    "CONSENTGATE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


# The key ring every engine and service of a test gets: fixed bytes (never a real key), set in the
# environment the way an operator sets it, so code under test reads it like production does.
TEST_KEYS = KeyRing((KeyEntry("test1", bytes(range(32))),))


@pytest.fixture(autouse=True)
def key_ring() -> Iterator[KeyRing]:
    """`CONSENTGATE_KEYS` holds `TEST_KEYS` (PostgreSQL needs an explicit key); a test about where keys
    come from deletes it with `monkeypatch.delenv`. Set without `monkeypatch`, so that a test calling
    `monkeypatch.undo()` for its own patches does not take the key away from the engines it starts."""
    saved = {name: os.environ.get(name) for name in (ENV_KEYS, ENV_KEY_FILE)}
    os.environ[ENV_KEYS] = ",".join(entry.text() for entry in TEST_KEYS)
    os.environ.pop(ENV_KEY_FILE, None)
    try:
        yield TEST_KEYS
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _postgres_database() -> Iterator[str]:
    try:
        scratch = scratch_postgres(PG_ADMIN_URL, prefix="cg_test")
        url = scratch.__enter__()
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true requires PostgreSQL — {reason}")
        pytest.skip(f"!!! SKIPPING the PostgreSQL half of the runtime tests !!! {reason}")
    try:
        yield url
    finally:
        scratch.__exit__(None, None, None)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'consentgate.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A fresh database at the current schema."""
    db = Database(database_url)
    upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


# The seed-case app as fixed: the manifest most runtime tests run under.


@pytest.fixture(scope="session")
def manifest() -> Manifest:
    return load_manifest(SEED_FIXED).manifest


@pytest.fixture(scope="session")
def policy(manifest: Manifest) -> Policy:
    return compile_policy(manifest)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def audit(database: Database, clock: FakeClock) -> Iterator[AuditLog]:
    log = AuditLog(database, tenant=TENANT, clock=clock, ids=SequentialIds("audit"))
    try:
        yield log
    finally:
        log.close()


# A notice service with the privacy policy published, and the consent ledger on top of it.

NOTICE = "privacy-policy"


@pytest.fixture
def notices(database: Database, clock: FakeClock, audit: AuditLog, policy: Policy) -> NoticeService:
    service = NoticeService(
        database, tenant=TENANT, clock=clock, ids=SequentialIds("notice"), audit=audit, policy=policy
    )
    publish_notice(service, policy, "2024-01")
    return service


@pytest.fixture
def ledger(
    database: Database,
    clock: FakeClock,
    audit: AuditLog,
    notices: NoticeService,
    policy: Policy,
    manifest: Manifest,
) -> ConsentLedger:
    return ConsentLedger(
        database,
        tenant=TENANT,
        clock=clock,
        ids=SequentialIds("event"),
        audit=audit,
        notices=notices,
        policy=policy,
        manifest=manifest,
    )


def publish_notice(
    notices: NoticeService,
    policy: Policy,
    version: str,
    *,
    leave_out: frozenset[str] = frozenset(),
    wording: str = "",
) -> None:
    """Publishes the privacy policy covering every purpose of the policy, with their data and
    recipients — except the data items or recipients in `leave_out` (a material change)."""
    purposes = policy.purposes.values()
    notices.publish(
        NOTICE,
        version,
        text=Text(zh=f"个人信息处理规则{wording}", en=f"Personal information processing rules{wording}"),
        purposes=[p.id for p in purposes],
        data={d for p in purposes for d in p.data} - leave_out,
        recipients={r for p in purposes for r in p.recipients} - leave_out,
    )
