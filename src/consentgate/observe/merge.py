"""Writing what was observed into the declared manifest: the one way every source of observation (a
browser walk, a runtime trace) builds the manifest the rules then judge, so both merge alike."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from consentgate.manifest.models import Manifest


def declared_base(declared: Manifest | None, app: dict[str, Any], first_seen: date | None) -> dict[str, Any]:
    """The declared manifest as data (or nothing), with the observed app and `as_of` where it states none:
    what every source of observation (browser walk, runtime trace) writes its findings into."""
    out: dict[str, Any] = (
        declared.model_dump(mode="json", by_alias=True, exclude_unset=True) if declared else {}
    )
    out.setdefault("app", app)
    if first_seen is not None and first_seen <= date.today():
        out.setdefault("as_of", first_seen.isoformat())
    return out


def add_conduct(
    out: dict[str, Any],
    collections: Iterable[dict[str, Any]],
    provisions: Iterable[dict[str, Any]],
    permissions: Iterable[dict[str, Any]],
    setting_changes: Iterable[dict[str, Any]],
) -> None:
    """The observed conduct records after the declared ones; no `conduct:` at all when there are none."""
    conduct = out.setdefault("conduct", {})
    for name, records in (
        ("collections", collections),
        ("provisions", provisions),
        ("permissions", permissions),
        ("setting_changes", setting_changes),
    ):
        extend(conduct, name, records)
    if not any(conduct.values()):
        del out["conduct"]


def extend(section: dict[str, Any], name: str, items: Iterable[dict[str, Any]]) -> None:
    """Adds observed items after the declared ones, skipping ids the declared manifest already has."""
    listed = section.setdefault(name, [])
    have = {i.get("id") for i in listed if isinstance(i, dict)}
    listed.extend(i for i in items if i.get("id") is None or i["id"] not in have)
    if not listed:
        del section[name]
