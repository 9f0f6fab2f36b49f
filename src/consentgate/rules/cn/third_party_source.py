"""Rule 11: data obtained from someone other than the person, with no basis for obtaining it.

In the seed case the plaintiff's numbers "由其合做的线下体验店搜集" — an offline partner collected them
and the app used them with no consent ever given to it. Receiving data is processing: it needs a
basis of its own, such as the source's consent covering the provision or the person's confirmation.

The source is asked only where it matters (`facts.data_sources`): an item derived from others is
judged through its sources, one that an onboarding screen asks the person for came from them, and
one with a `provenance` but no `source` came from someone else. Any other item without a stated
`source`, or a provenance without a stated `basis`, leaves the check unconfirmed; `basis: none`
states that there is none.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import DataItem, DataSource, Manifest, ProvenanceBasis
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import data_sources
from consentgate.rules.unstated import unstated
from consentgate.text import Text

_INDIRECT = {
    DataSource.THIRD_PARTY: Text(zh="第三方", en="a third party"),
    DataSource.OFFLINE_PARTNER: Text(zh="线下合作方", en="an offline partner"),
    DataSource.OTHERS_ADDRESS_BOOK: Text(zh="他人上传的通讯录", en="other people's address books"),
}
# A provenance without a source still states that the item came from someone other than the person.
_SOMEONE_ELSE = Text(zh="他方", en="someone else")


class ThirdPartySourceNoBasis(Rule):
    id = "CG-PIPL-013-THIRD-PARTY-SOURCE-NO-BASIS"
    severity = Severity.HIGH
    title = Text(
        zh="间接获取的个人信息来源不明或缺乏合法性基础",
        en="Personal information obtained from others with no provenance or no basis",
    )
    remediation = Text(
        zh="记录每项间接获取信息的提供方及依据（提供方已就向本方提供取得同意、本人确认、合同或法定依据）；"
        "没有依据的信息应停止使用并删除。",
        en="Record for each item obtained from others who provided it and on what basis (the source's "
        "consent covering the provision, the person's confirmation, contract or law); stop using and "
        "delete whatever has none.",
    )
    citations = ("PIPL-13", "PIPL-14", "CIVIL-1035", "AVIM-3.1")
    rationale = Text(
        zh="本人从未向运营者作出同意，整个处理链条自始没有合法性基础。",
        en="The person never consented to the operator at all, so the whole chain of processing lacks "
        "a basis from the start.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        sources = data_sources(manifest)
        for item in manifest.data:
            source = sources[item.id]
            if source in _INDIRECT:
                yield from _judge_provenance(item, _INDIRECT[source])
            elif source is None and item.provenance is not None:
                yield from _judge_provenance(item, _SOMEONE_ELSE)
            elif source is None:
                yield unstated("data", item.id, "source")


def _judge_provenance(item: DataItem, source: Text) -> Iterator[Hit | Unknown]:
    """Data from others needs a record of who gave it, and a basis for receiving it."""
    if item.provenance is None:
        yield Hit(
            pointer=pointer("data", item.id, "source"),
            message=Text(
                zh=f"“{item.id}”来自{source.zh}，但未说明提供方及其依据（provenance）。",
                en=f"'{item.id}' comes from {source.en} with no record of who provided "
                "it or on what basis (provenance).",
            ),
            data=(item.id,),
        )
    elif item.provenance.basis is None:
        yield unstated("data", item.id, "provenance", "basis")
    elif item.provenance.basis is ProvenanceBasis.NONE:
        yield Hit(
            pointer=pointer("data", item.id, "provenance", "basis"),
            message=Text(
                zh=f"“{item.id}”由“{item.provenance.party}”提供，没有任何合法性依据。",
                en=f"'{item.id}' was provided by '{item.provenance.party}' with no basis at all.",
            ),
            data=(item.id,),
        )
