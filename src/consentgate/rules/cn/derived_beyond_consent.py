"""Rule 19: profile tags used beyond the consent or purpose their source data was given for.

A derived item (`source: derived`, `derived_from: [...]`) is personal information in its own
right (GB/T 35273 3.1 note 3), and it carries the limits of its sources: consent to use
occupation for a personalized feed is not consent to mine it for marketing (PIPL 6, 14).

The test, for every purpose P and every derived item T that P uses:
1. A source S of T is *within* P when P lists S in its data, or an onboarding field that
   collects S names P among its purposes. Sources within P are fine.
2. If P rests on consent (`facts.needs_consent`, so also a purpose stated as `basis: none`),
   any source outside P is a hit: the person never agreed to P processing S, and deriving a tag
   from S does not launder that.
3. If P rests on another basis, a source outside P is a hit only when the purposes it was
   collected for (those listing it, or named on the fields collecting it) are all of another
   kind than P, or there are none: the tag has been repurposed (tags built for personalization
   turned to marketing). Sharing a kind with an origin purpose is taken as a compatible use.
One hit per (purpose, derived item), at that item in the purpose's data, naming the sources.

What counts as stated: the item is derived when `source: derived`, or, with no source stated, when
it lists `derived_from` (`facts.data_sources`). Whether P rests on consent needs its `basis` (and,
for an add-on claimed as contract, `user_selected`): where that is not stated, a repurposed source
is still a hit, and a source that would be a hit only on consent leaves the check unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import DataSource, Manifest, Purpose
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import data_sources, needs_consent
from consentgate.text import Text


def _collected_for(manifest: Manifest, data_id: str) -> set[str]:
    """Purposes that collected `data_id`: those using it, and those its onboarding fields name."""
    purposes = {p.id for p in manifest.purposes_using(data_id)}
    for screen in manifest.onboarding:
        for field in screen.fields:
            if field.data == data_id:
                purposes.update(field.purposes)
    return purposes


def _within(manifest: Manifest, data_id: str, purpose: Purpose) -> bool:
    return purpose.id in _collected_for(manifest, data_id)


def _repurposed(manifest: Manifest, data_id: str, purpose: Purpose) -> bool:
    origins = [p for p in manifest.purposes if p.id in _collected_for(manifest, data_id)]
    return all(p.kind is not purpose.kind for p in origins)


class DerivedBeyondConsent(Rule):
    id = "CG-PIPL-014-DERIVED-BEYOND-CONSENT"
    severity = Severity.HIGH
    title = Text(
        zh="用户画像标签被用于超出其来源信息同意范围或收集目的的处理",
        en="Derived profile tags used beyond the consent or purpose of their source data",
    )
    remediation = Text(
        zh="画像标签只能用于其来源信息被收集时的目的；用于新目的，须就来源信息向个人告知并取得同意，"
        "或在该目的的 data 中列明来源信息。",
        en="Use a profile tag only for the purposes its sources were collected for; for a new purpose, "
        "inform the person and obtain consent covering the source data, and list the sources in that "
        "purpose's data.",
    )
    citations = ("PIPL-4", "PIPL-14", "PIPL-6", "GBT35273-3.1", "GBT35273-7.4")
    rationale = Text(
        zh="超出同意范围处理个人信息即缺乏有效同意；法院在种子案件中将画像标签作为个人信息予以保护。",
        en="Processing beyond the scope of consent lacks valid consent; the seed-case court protected the "
        "profile tags as personal information.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        items = {item.id: item for item in manifest.data}
        sources = data_sources(manifest)
        for purpose in manifest.purposes:
            need = needs_consent(purpose)
            for index, data_id in enumerate(purpose.data):
                tag = items.get(data_id)
                if tag is None or sources[data_id] is not DataSource.DERIVED or not tag.derived_from:
                    continue
                outside = [s for s in tag.derived_from if not _within(manifest, s, purpose)]
                repurposed = [s for s in outside if _repurposed(manifest, s, purpose)]
                # On consent every source outside is a breach; on any basis a repurposed one is.
                on_consent = need is True
                breach = outside if on_consent else repurposed
                if isinstance(need, Unknown) and len(repurposed) < len(outside):
                    yield need
                if not breach:
                    continue
                yield Hit(
                    pointer=pointer("purposes", purpose.id, "data", index),
                    message=self._message(manifest, purpose, data_id, breach, on_consent),
                    data=(data_id, *breach),
                    purpose=purpose.id,
                )

    @staticmethod
    def _message(
        manifest: Manifest, purpose: Purpose, tag: str, outside: list[str], on_consent: bool
    ) -> Text:
        origins = sorted({o for s in outside for o in _collected_for(manifest, s)})
        sources = "、".join(outside)
        origin_zh = f"（收集目的：{'、'.join(origins)}）" if origins else "（未为任何目的收集）"
        origin_en = f" (collected for: {', '.join(origins)})" if origins else " (collected for no purpose)"
        if on_consent:
            return Text(
                zh=f"目的“{purpose.id}”使用画像“{tag}”，但其来源信息“{sources}”{origin_zh}"
                "不在该目的的同意范围内。",
                en=f"Purpose '{purpose.id}' uses derived '{tag}', but its sources '{', '.join(outside)}'"
                f"{origin_en} are outside that purpose's consent.",
            )
        return Text(
            zh=f"目的“{purpose.id}”（{purpose.kind.value}）使用画像“{tag}”，其来源信息“{sources}”"
            f"{origin_zh}是为其他类型的目的收集的。",
            en=f"Purpose '{purpose.id}' ({purpose.kind.value}) uses derived '{tag}', whose sources "
            f"'{', '.join(outside)}'{origin_en} were collected for another kind of purpose.",
        )
