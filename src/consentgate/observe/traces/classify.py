"""What an event reads and who read it, from two catalogs kept as data (observe/data/android-apis.yaml,
observe/data/sdks.yaml): API → taxonomy category, package prefix or domain → SDK and its company.

The actor is found, in order, from:
1. the trace's own actor name (camille's 行为主体, a JSON line's `actor`): an SDK's name or alias, or a package;
   camille's 「APP本身」 only means its own list matched nothing, so the stack is still read;
2. the stack: the innermost frame that belongs to a catalog SDK (longest package prefix) or to `app_package`
   decides; platform frames (android., java., ...) and packages nobody knows are passed over;
3. for a request, its host, through the tracker catalog (observe/trackers.py) and back to the SDK of that domain.
Nothing said → `ActorKind.UNKNOWN`. An event it cannot place gets category None (unknown), never a guess.

A trace repeats the same few calls from the same few stacks millions of times, so the whole classification is
cached on the fields it reads; lookups behind it are precomputed dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from consentgate.observe.traces.apis import api_catalog
from consentgate.observe.traces.model import EventKind, TraceEvent
from consentgate.observe.traces.sdks import Sdk, sdk_catalog
from consentgate.observe.trackers import Tracker, tracker_of


class ActorKind(StrEnum):
    APP = "app"  # the app's own code
    SDK = "sdk"  # a third-party SDK named by the catalog or by the trace
    UNKNOWN = "unknown"  # the trace does not say and the stack names no known package


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    name: str | None = None  # the SDK's name, e.g. 友盟+ 统计分析 SDK
    company: str | None = None  # who runs it, e.g. 友盟同欣（北京）科技有限公司
    source: str | None = None  # where the catalog entry comes from (a URL)
    sdk: str | None = (
        None  # the SDK catalog id (e.g. umeng); None for an SDK only the trace or a tracker names
    )
    name_en: str | None = None  # the SDK's English name, where the catalog has one


@dataclass(frozen=True, slots=True)
class Classified:
    category: str | None  # taxonomy category, e.g. device.identifiers; None: not personal or not known
    permission: str | None  # short permission name (location, camera, contacts, ...) where relevant
    actor: Actor


APP = Actor(ActorKind.APP)
UNKNOWN = Actor(ActorKind.UNKNOWN)

# What camille (and people) write for "the app itself".
_APP_NAMES = frozenset({"APP本身", "app本身", "app", "APP", "App", "本应用"})
# Frames of the platform and the language: they sit between the caller and the API, and say nothing of who called.
_PLATFORM = (
    "android.",
    "androidx.",
    "com.android.",
    "dalvik.",
    "java.",
    "javax.",
    "kotlin.",
    "kotlinx.",
    "libcore.",
    "sun.",
    "org.json.",
    "org.apache.harmony.",
)


def _sdk_actor(sdk: Sdk) -> Actor:
    return Actor(
        ActorKind.SDK,
        name=sdk.name.zh,
        company=sdk.company,
        source=sdk.source,
        sdk=sdk.id,
        name_en=sdk.name.en,
    )


def _tracker_actor(tracker: Tracker) -> Actor:
    # trackers.yaml writes "<legal name> (<product>)".
    company, _, rest = tracker.company.partition(" (")
    product = rest.rstrip(")") or company
    return Actor(ActorKind.SDK, name=product, company=company, source=tracker.source)


def _frame_name(frame: str) -> str:
    """`   at com.umeng.a.b.c(SourceFile:12)` → `com.umeng.a.b.c`."""
    text = frame.strip()
    if text.startswith("at "):
        text = text[3:].lstrip()
    paren = text.find("(")
    return text[:paren] if paren >= 0 else text


def _in_package(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".") or name.startswith(package + "$")


def _looks_like_package(name: str) -> bool:
    return "." in name and name.isascii() and " " not in name


# Keyed on the frame's class.method, not the frame: the same method at another line (another build) is one entry.
@lru_cache(maxsize=1 << 15)
def _owner(name: str, app_package: str | None) -> Actor | None:
    """The SDK or app a frame's class.method belongs to; None for the platform or a package nobody knows."""
    if not name or name.startswith(_PLATFORM):
        return None
    sdk = sdk_catalog().of_package(name)
    if sdk is not None:
        return _sdk_actor(sdk)
    if app_package and _in_package(name, app_package):
        return APP
    return None


# Frame text → owner, per app package: a plain dict probe before any parsing, since the frames around the one
# that changes (a line number, a lambda) repeat from event to event. Cleared when full, so memory stays flat.
_FRAME_OWNERS: dict[str | None, dict[str, Actor | None]] = {}
_FRAME_LIMIT = 1 << 16
_MISSING = Actor(ActorKind.UNKNOWN, name="(not looked up)")


def _stack_actor(stack: tuple[str, ...], app_package: str | None) -> Actor | None:
    owners = _FRAME_OWNERS.setdefault(app_package, {})
    for frame in stack:  # innermost first
        owner = owners.get(frame, _MISSING)
        if owner is _MISSING:
            if len(owners) >= _FRAME_LIMIT:
                owners.clear()
            owner = owners[frame] = _owner(_frame_name(frame), app_package)
        if owner is not None:
            return owner
    return None


def _named_actor(name: str, app_package: str | None) -> Actor:
    """The actor a trace names that is not the app: a catalog SDK, a package, or an SDK only the trace knows."""
    catalog = sdk_catalog()
    sdk = catalog.of_alias(name)
    if sdk is None and _looks_like_package(name):
        sdk = catalog.of_package(name)
        if sdk is None:
            # A package no catalog knows: the app's own, a third party's (the app's package is known and this
            # is outside it), or, without the app's package, nobody can tell.
            if app_package is None:
                return Actor(ActorKind.UNKNOWN, name=name)
            return APP if _in_package(name, app_package) else Actor(ActorKind.SDK, name=name)
    return _sdk_actor(sdk) if sdk is not None else Actor(ActorKind.SDK, name=name)


def _host_actor(host: str) -> Actor | None:
    bare = host.rsplit(":", 1)[0] if host.count(":") == 1 else host  # a port, not an IPv6 address
    tracker = tracker_of(bare)
    if tracker is None:
        return None
    sdk = sdk_catalog().of_domain(tracker.domain)
    return _sdk_actor(sdk) if sdk is not None else _tracker_actor(tracker)


def _actor(name: str | None, stack: tuple[str, ...], host: str | None, app_package: str | None) -> Actor:
    said = name.strip() if name else ""
    if said and said not in _APP_NAMES:
        return _named_actor(said, app_package)
    from_stack = _stack_actor(stack, app_package)
    if from_stack is not None:
        return from_stack
    if said:
        return APP
    if host:
        from_host = _host_actor(host)
        if from_host is not None:
            return from_host
    return UNKNOWN


@lru_cache(maxsize=1 << 12)
def _reading(operation: str, description: str) -> tuple[str | None, str | None]:
    found = api_catalog().reading(operation, description)
    return (found.category, found.permission) if found is not None else (None, None)


# Bounded: a cached key holds the whole stack, and a trace with many distinct stacks must not grow memory.
@lru_cache(maxsize=1 << 12)
def _classify(
    kind: EventKind,
    operation: str,
    description: str,
    actor: str | None,
    stack: tuple[str, ...],
    host: str | None,
    permission: str | None,
    app_package: str | None,
) -> Classified:
    category: str | None = None
    needed: str | None = None
    if kind is EventKind.API:
        category, needed = _reading(operation, description)
    elif kind in (EventKind.PERMISSION, EventKind.PERMISSION_STATE):
        needed = api_catalog().permission(permission)
    who = _actor(actor, stack, host if kind is EventKind.REQUEST else None, app_package)
    return Classified(category=category, permission=needed, actor=who)


def classify(event: TraceEvent, *, app_package: str | None = None) -> Classified:
    """The event's category and actor. `app_package` (e.g. com.example.app) marks the app's own frames.

    API events get the category of the call and the permission it needs; permission events the short name of
    the permission asked or changed (as the trace wrote it where the mapping does not know it); other events no
    category. Asking for a permission reads nothing, so its category is None.
    """
    return _classify(
        event.kind,
        event.operation,
        event.description,
        event.actor,
        event.stack,
        event.host,
        event.permission,
        app_package,
    )
