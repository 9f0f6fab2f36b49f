"""The runtime library an app embeds: `Engine.from_manifest("app.yaml")`.

It refuses to start under a manifest that fails high-severity rules, opens an existing database at
the current schema (only `consentgate db upgrade`, or the explicit `create=True`, makes one), publishes the manifest's notices, and wires the domain services together:
`notices`, `consent`, `onboarding`, `profiles`, `gate`, `auditlog`, and the paths data takes out of the
app — `feed`, `push`, `messaging`, `sharing` — each of which asks the gate.
Each service is built from the tenant's `context` (a `TenantContext`: database, tenant, clock, ids,
audit log, manifest, policy) plus only its own collaborators: `NoticeService.of(ctx, journal=...)`.

Transports default to in-memory ones that keep every message (for development, tests and the demo);
an app in production passes its own: `push_transport`, `message_sender`, `sharing_sink`. Address books
and recipients' pseudonyms are keyed from the key ring of `keys` (a `KeyProvider`), by default the one
the environment names, never from the database (docs/keys.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from consentgate.manifest.loader import LoadedManifest, load_manifest
from consentgate.manifest.models import Manifest, NoticeTiming
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.changes.hub import ChangeHub
from consentgate.runtime.changes.journal import ChangeJournal
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.context import TenantContext
from consentgate.runtime.feed.catalog import Catalog
from consentgate.runtime.feed.catalog import load_catalog as load_content_catalog
from consentgate.runtime.feed.errors import FeedMisconfigured
from consentgate.runtime.feed.service import FeedService
from consentgate.runtime.gate.service import Gate
from consentgate.runtime.keys.derive import ADDRESS_BOOK, PSEUDONYMS, TenantKeys
from consentgate.runtime.keys.ports import KeyProvider
from consentgate.runtime.keys.providers import resolve_provider
from consentgate.runtime.messaging.config import MessagingConfig
from consentgate.runtime.messaging.directory import ProfileDirectory
from consentgate.runtime.messaging.fakes import InMemorySender
from consentgate.runtime.messaging.ports import MessageSender
from consentgate.runtime.messaging.service import MessagingService
from consentgate.runtime.notice_text import covered_purposes, render
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.onboarding.service import Onboarding
from consentgate.runtime.policy import Policy, compile_policy
from consentgate.runtime.ports import Clock, IdFactory, SystemClock, Uuid7Ids
from consentgate.runtime.profiles.service import Deriver, ProfileStore
from consentgate.runtime.push.fakes import InMemoryTransport
from consentgate.runtime.push.ports import PushTransport
from consentgate.runtime.push.service import PushService
from consentgate.runtime.rights.fulfilment import Fulfilment
from consentgate.runtime.rights.gather import HoldingsGatherer
from consentgate.runtime.rights.service import RightsService
from consentgate.runtime.settings.service import PrivacySettings
from consentgate.runtime.sharing.fakes import InMemorySink
from consentgate.runtime.sharing.ports import ThirdPartySink
from consentgate.runtime.sharing.service import SharingService
from consentgate.runtime.startup import refuse_unlawful
from consentgate.store.database import Database
from consentgate.store.database import database_url as resolve_database_url
from consentgate.store.opening import create_database, open_database, require_sqlite_file


class Engine:
    """One tenant's runtime over one manifest and one database."""

    def __init__(
        self,
        loaded: LoadedManifest,
        database: Database,
        *,
        tenant: str = "default",
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        catalog: Catalog | None = None,
        push_transport: PushTransport | None = None,
        sharing_sink: ThirdPartySink | None = None,
        message_sender: MessageSender | None = None,
        messaging_config: MessagingConfig | None = None,
        derivers: Mapping[str, Deriver] | None = None,
        changes: ChangeHub | None = None,
        unsubscribe_url: str | None = None,
        keys: KeyProvider | None = None,
    ) -> None:
        # First, before any thread starts: a database without a key from outside it stops here.
        self.keys = TenantKeys((keys or resolve_provider(database.url)).keyring(), tenant)
        self.loaded = loaded
        self.manifest: Manifest = loaded.manifest
        self.database = database
        self.tenant = tenant
        self.clock = clock or SystemClock()
        self.ids = ids or Uuid7Ids()
        self.policy: Policy = compile_policy(self.manifest)
        self.auditlog = AuditLog(database, tenant=tenant, clock=self.clock, ids=self.ids)
        # What every service shares, said once; each service below adds only its own collaborators.
        ctx = self.context = TenantContext(
            db=database,
            tenant=tenant,
            clock=self.clock,
            ids=self.ids,
            audit=self.auditlog,
            manifest=self.manifest,
            policy=self.policy,
        )
        self.journal = ChangeJournal.of(ctx)
        self.notices = NoticeService.of(ctx, journal=self.journal)
        self.consent = ConsentLedger.of(ctx, notices=self.notices, journal=self.journal)
        # The process's one change feed (unless given one): it tells this engine's caches of other
        # processes' changes, and while it is not caught up the gate serves no cached allow.
        self.change_hub = changes if changes is not None else ChangeHub.shared(database.url)
        self.gate = Gate.of(ctx, ledger=self.consent, notices=self.notices, feed=self.change_hub)
        self.profiles = ProfileStore.of(ctx, gate=self.gate, derivers=derivers)
        self.onboarding = Onboarding.of(
            ctx, ledger=self.consent, notices=self.notices, profiles=self.profiles
        )
        self.push_transport: PushTransport = push_transport or InMemoryTransport()
        self.push = PushService.of(
            ctx,
            notices=self.notices,
            gate=self.gate,
            profiles=self.profiles,
            transport=self.push_transport,
        )
        self.sharing_sink: ThirdPartySink = sharing_sink or InMemorySink()
        self.sharing = SharingService.of(
            ctx,
            ledger=self.consent,
            gate=self.gate,
            profiles=self.profiles,
            sink=self.sharing_sink,
            pseudonym_keys=self.keys.for_use(PSEUDONYMS),
        )
        self.message_sender: MessageSender = message_sender or InMemorySender()
        self.messaging = MessagingService(
            ctx,
            ledger=self.consent,
            gate=self.gate,
            sender=self.message_sender,
            directory=ProfileDirectory(self.profiles, self.manifest),
            config=messaging_config or _messaging_config(unsubscribe_url),
            address_keys=self.keys.for_use(ADDRESS_BOOK),
        )
        gatherer = HoldingsGatherer.of(
            ctx, ledger=self.consent, profiles=self.profiles, transfers=self.sharing
        )
        fulfilment = Fulfilment.of(
            ctx,
            ledger=self.consent,
            profiles=self.profiles,
            recipients=self.sharing,
            gather=lambda subject, request_id: gatherer.gather(subject, request_id=request_id),
        )
        self.rights = RightsService.of(ctx, ledger=self.consent, fulfilment=fulfilment)
        # The privacy center's switches: consent given or withdrawn in settings, per purpose and recipient.
        self.settings = PrivacySettings.of(ctx, ledger=self.consent, notices=self.notices)
        self._feed = (
            FeedService.of(
                ctx,
                ledger=self.consent,
                notices=self.notices,
                profiles=self.profiles,
                gate=self.gate,
                catalog=catalog,
            )
            if catalog is not None
            else None
        )
        self._publish_manifest_notices()
        self.changes = self.change_hub.watch(
            database,
            self.journal,
            clock=self.clock,
            subjects_of=self.consent.subjects_of,
            forget=self.gate.forget,
            everything_changed=self.notices.changed,
        )

    @property
    def feed(self) -> FeedService:
        """The content feed; it needs a content catalog (`from_manifest(..., catalog=path)`)."""
        if self._feed is None:
            raise FeedMisconfigured.from_key("feed.no_catalog")
        return self._feed

    @classmethod
    def from_manifest(
        cls,
        path: str | Path,
        *,
        database_url: str | None = None,
        tenant: str = "default",
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        create: bool = False,
        catalog: str | Path | None = None,
        push_transport: PushTransport | None = None,
        sharing_sink: ThirdPartySink | None = None,
        message_sender: MessageSender | None = None,
        messaging_config: MessagingConfig | None = None,
        derivers: Mapping[str, Deriver] | None = None,
        keys: KeyProvider | None = None,
    ) -> Engine:
        """Audits the manifest (refusing unlawful ones), opens the database and starts the services.

        The database must exist at the current schema (`DatabaseNotReady` otherwise, naming the URL):
        a mistyped URL is an error, not a new empty database. `create=True` makes and migrates it
        instead, as `consentgate db upgrade` does (tests, the demo, a first run on a laptop).
        """
        loaded = load_manifest(path)
        refuse_unlawful(loaded)
        url = resolve_database_url(database_url)
        if not create:
            require_sqlite_file(url)  # a mistyped path gets no key file made beside it either
        keys = keys or resolve_provider(url)  # before the database is opened or its schema touched
        database = create_database(url) if create else open_database(url)
        return cls(
            loaded,
            database,
            tenant=tenant,
            clock=clock,
            ids=ids,
            catalog=load_content_catalog(catalog) if catalog is not None else None,
            push_transport=push_transport,
            sharing_sink=sharing_sink,
            message_sender=message_sender,
            messaging_config=messaging_config,
            derivers=derivers,
            keys=keys,
        )

    def _publish_manifest_notices(self) -> None:
        """The manifest's notice versions become the runtime's; a new version is classified on publish."""
        for notice in self.manifest.notices:
            if notice.shown is not NoticeTiming.BEFORE_COLLECTION:
                continue
            current = self.notices.current(notice.id)
            if current is not None and current.version == notice.version:
                continue
            purposes = covered_purposes(self.manifest, notice)
            data = sorted({d for p in purposes for d in self.manifest.purpose(p).data})
            recipients = sorted({r for p in purposes for r in self.manifest.purpose(p).recipients})
            self.notices.publish(
                notice.id,
                notice.version,
                text=render(self.manifest, notice),
                purposes=purposes,
                data=data,
                recipients=recipients,
            )

    def close(self) -> None:
        """Leaves the change feed (the last engine stops its thread), flushes buffered audit records and releases the database."""
        self.changes.close()
        self.auditlog.close()
        self.database.dispose()

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _messaging_config(unsubscribe_url: str | None) -> MessagingConfig:
    """The default messaging settings; the unsubscribe link points at the service when one serves it."""
    config = MessagingConfig()
    return dataclasses.replace(config, unsubscribe_url=unsubscribe_url) if unsubscribe_url else config
