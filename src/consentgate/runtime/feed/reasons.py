"""Why an item was chosen, in words a person reads (ARP 17: explain, and offer the way out).

A personalized reason names each attribute that matched and the value it matched on — shown to the
person it is about, so nothing is disclosed that they did not give.
"""

from __future__ import annotations

from consentgate.i18n import message
from consentgate.manifest.models import Manifest
from consentgate.manifest.names import data_name
from consentgate.runtime.feed.catalog import Catalog
from consentgate.runtime.feed.rankers import Ranked, Why
from consentgate.text import Text

# Punctuation between the named attributes, per language (no words: those live in the i18n catalogs).
_ATTRIBUTE = Text(zh="{name}：{value}", en="{name}: {value}")
_BETWEEN = Text(zh="；", en="; ")


def _attribute(name: Text, value: Text) -> Text:
    return Text(
        zh=_ATTRIBUTE.zh.format(name=name.zh, value=value.zh),
        en=_ATTRIBUTE.en.format(name=name.en, value=value.en),
    )


def explain(ranked: Ranked, catalog: Catalog, manifest: Manifest) -> Text:
    if ranked.why is Why.MATCHED:
        parts = [
            _attribute(data_name(manifest, m.data_id), catalog.dimensions[m.dimension].values[m.value].text())
            for m in ranked.matches
        ]
        listing = Text(
            zh=_BETWEEN.zh.join(dict.fromkeys(p.zh for p in parts)),
            en=_BETWEEN.en.join(dict.fromkeys(p.en for p in parts)),
        )
        return message("feed.reason.matched", attributes=listing)
    if ranked.why is Why.NEW:
        return message("feed.reason.new", date=ranked.item.published_at.isoformat())
    if ranked.why is Why.EDITORS_PICK:
        return message("feed.reason.editors_pick")
    return message("feed.reason.popular")
