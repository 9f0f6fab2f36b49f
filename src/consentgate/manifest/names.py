"""What people read for a manifest's data item or recipient: its label, else the law's word, else the id.

One place, so that the onboarding pages, the privacy center, the feed's reasons and the onboarding
flow name a thing the same way (a side of a label the manifest left out shows the other side).
"""

from __future__ import annotations

from consentgate.law.catalog import load_catalog
from consentgate.manifest.models import Label, Manifest, Recipient
from consentgate.text import Text


def label_text(label: Label | None) -> Text | None:
    """Both languages of a label, one filling the other; None when it says nothing."""
    if label is None or not (label.zh or label.en):
        return None
    return Text(zh=label.zh or label.en or "", en=label.en or label.zh or "")


def data_name(manifest: Manifest, data_id: str) -> Text:
    """The item's label, else its category's legal label, else (an item the manifest lacks) its id."""
    item = manifest.data_by_id.get(data_id)
    if item is None:
        return Text(zh=data_id, en=data_id)
    own = label_text(item.label)
    if own is not None:
        return own
    category = load_catalog().categories.get(item.category)
    return category.label if category is not None else Text(zh=data_id, en=data_id)


def recipient_name(recipient: Recipient) -> Text:
    """The recipient's readable label, else its name as the manifest writes it."""
    return label_text(recipient.label) or Text(zh=recipient.name, en=recipient.name)
