"""Why a push was chosen, in words the person reads, with the setting that turns it off (PIPL 24, ARP 17)."""

from __future__ import annotations

from collections.abc import Iterable

from consentgate.i18n import message
from consentgate.law.catalog import load_catalog
from consentgate.manifest.models import Manifest
from consentgate.text import Text


def attribute_names(manifest: Manifest, data_ids: Iterable[str]) -> Text:
    """The items' labels from the manifest, else their category's label, else their ids; per language."""
    categories = load_catalog().categories
    zh: list[str] = []
    en: list[str] = []
    for data_id in sorted(data_ids):
        item = manifest.data_by_id.get(data_id)
        category = categories.get(item.category) if item is not None else None
        fallback = category.label if category is not None else Text(zh=data_id, en=data_id)
        label = item.label if item is not None else None
        zh.append((label.zh if label is not None else None) or fallback.zh)
        en.append((label.en if label is not None else None) or fallback.en)
    return Text(zh="、".join(zh), en=", ".join(en))


def why(attributes: Text | None, settings_url: str) -> Text:
    """ "Personalized: from your …" or "Not personalized", then the link that turns personalization off."""
    if attributes is None:
        reason = message("push.why.generic")
        settings = message("push.settings_generic", url=settings_url)  # nothing to turn off here
    else:
        reason = message("push.why.personalized", attributes=attributes)
        settings = message("push.settings", url=settings_url)
    return Text(zh=f"{reason.zh}。{settings.zh}", en=f"{reason.en}. {settings.en}")
