"""Why a push was chosen, in words the person reads, with the setting that turns it off (PIPL 24, ARP 17)."""

from __future__ import annotations

from collections.abc import Iterable

from consentgate.i18n import message
from consentgate.manifest.models import Manifest
from consentgate.text import Text


def attribute_names(manifest: Manifest, data_ids: Iterable[str]) -> Text:
    """The items' labels from the manifest (their ids where no label is given), joined per language."""
    zh: list[str] = []
    en: list[str] = []
    for data_id in sorted(data_ids):
        label = manifest.data_by_id[data_id].label if data_id in manifest.data_by_id else None
        zh.append((label.zh if label is not None else None) or data_id)
        en.append((label.en if label is not None else None) or data_id)
    return Text(zh="、".join(zh), en=", ".join(en))


def why(attributes: Text | None, settings_url: str) -> Text:
    """ "Personalized: from your …" or "Not personalized", then the link that turns personalization off."""
    if attributes is None:
        reason = message("push.why.generic")
    else:
        reason = message("push.why.personalized", attributes=attributes)
    settings = message("push.settings", url=settings_url)
    return Text(zh=f"{reason.zh}。{settings.zh}", en=f"{reason.en}. {settings.en}")
