"""How the privacy center names things: data items, purposes, recipients, values and times, in zh/en.

A person reads words, not ids: a data item is called by its manifest label, else by its category in
the law catalog; a purpose by its label, else by its kind. Ids stay on the page only as a fallback.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from consentgate.i18n import message
from consentgate.manifest import names
from consentgate.manifest.models import Manifest
from consentgate.manifest.names import label_text
from consentgate.runtime.rights.deadlines import BEIJING
from consentgate.text import Text

# Never shown, not even to the person: a password (hash) on a page ends up in caches and screenshots.
MASKED_CATEGORIES = frozenset({"account.credentials"})


def purpose_label(manifest: Manifest, purpose_id: str) -> Text:
    purpose = manifest.purposes_by_id.get(purpose_id)
    if purpose is None:
        return Text(zh=purpose_id, en=purpose_id)
    return label_text(purpose.label) or message(f"web.privacy_kind.{purpose.kind.value}")


def recipient_name(manifest: Manifest, recipient_id: str) -> Text:
    recipient = manifest.recipients_by_id.get(recipient_id)
    if recipient is None:
        return Text(zh=recipient_id, en=recipient_id)
    return names.recipient_name(recipient)


def is_masked(manifest: Manifest, data_id: str) -> bool:
    item = manifest.data_by_id.get(data_id)
    return item is not None and item.category in MASKED_CATEGORIES


def shown(value: Any) -> str:
    """A stored value as one line of text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return ", ".join(shown(v) for v in value)
    return json.dumps(value, ensure_ascii=False, default=str)


def when(moment: datetime | None) -> str:
    """A time as people in China read it: Beijing time, to the minute."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if moment is not None else ""
