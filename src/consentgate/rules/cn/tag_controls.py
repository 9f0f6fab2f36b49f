"""Extra: personalization without a way to see and delete the tags it uses (ARP 17 para 2).

Applies to every purpose of kind personalization and to any purpose that declares
personalization options: both recommend by the person's characteristics, i.e. by user tags.
Only `tag_controls: false` is a finding; a purpose in scope that does not state `tag_controls` (or
states no options at all) leaves the check unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest, PurposeKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.unstated import unstated
from consentgate.text import Text


class NoTagControls(Rule):
    id = "CG-ARP-017-NO-TAG-CONTROLS"
    severity = Severity.MEDIUM
    title = Text(
        zh="算法推荐未提供选择或删除用户标签的功能",
        en="Algorithmic recommendation without a function to select or delete user tags",
    )
    remediation = Text(
        zh="在个性化设置中列出用于推荐的用户标签，允许用户选择或删除；删除后不再据此推荐。",
        en="List the user tags used for recommendation in the personalization settings and let people "
        "select or delete them; stop recommending by a tag once it is deleted.",
    )
    citations = ("ARP-17",)
    rationale = Text(
        zh="缺少标签管理功能削弱了用户的控制，但推荐本身仍可基于有效同意进行，属义务违反。",
        en="Without tag controls the person has less control, but the recommendation may still rest on "
        "valid consent: a breach of duty, not unlawful processing.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        for purpose in manifest.purposes:
            options = purpose.personalization
            if purpose.kind is not PurposeKind.PERSONALIZATION and options is None:
                continue
            stated = options.tag_controls if options is not None else None
            if stated is None:
                yield unstated("purposes", purpose.id, "personalization", "tag_controls")
            if stated is not False:
                continue
            yield Hit(
                pointer=pointer("purposes", purpose.id, "personalization", "tag_controls"),
                message=Text(
                    zh=f"目的“{purpose.id}”基于用户标签推荐内容，但用户无法查看、选择或删除这些标签。",
                    en=f"Purpose '{purpose.id}' recommends by user tags, but people cannot see, select or "
                    "delete those tags.",
                ),
                data=tuple(purpose.data),
                purpose=purpose.id,
            )
