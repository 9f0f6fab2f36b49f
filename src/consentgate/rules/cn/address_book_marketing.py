"""Rule 9: messages sent to people found in other users' address books.

The Haidian court (Wang Yu v. a workplace site) held that texting a non-user whose number came
from friends' uploaded contacts, in copy naming him and his friends, processed his information
without consent and disturbed the peace of his private life (Civil Code 1032-1033). The uploader
cannot consent for the people in their address book.

What counts as stated: whom a marketing purpose reaches (`marketing.audience`), where the data a
purpose texts, calls, messages or e-mails comes from (`facts.data_sources`: a stated `source`, or
an onboarding field the person fills in), and, where either involves address books, whether the copy
names other people (`names_other_people`). A fact among these that the manifest leaves out makes the
check unconfirmed; push and in-app messages reach only users, so their data's source is not asked.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import AudienceSource, DataSource, Manifest, Purpose
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.facts import data_sources, disturbs_private_life, is_marketing
from consentgate.rules.unstated import unstated
from consentgate.text import Text


class AddressBookMarketing(Rule):
    id = "CG-CIVIL-1033-ADDRESS-BOOK-MARKETING"
    severity = Severity.HIGH
    title = Text(
        zh="利用他人通讯录中的联系人信息发送营销或邀请信息",
        en="Marketing or invitations sent to people found in other users' address books",
    )
    remediation = Text(
        zh="不得向仅出现在他人通讯录中的号码发送营销或邀请信息；邀请须由用户本人主动逐条发出，"
        "文案不得冒用用户口吻或列出其他联系人的姓名。",
        en="Never message numbers that only appear in other users' address books; an invitation must "
        "be sent by the user themself, one by one, without copy that speaks for them or names other contacts.",
    )
    # Civil Code first: the rule judges conduct from 2021-01-01, and PIPL is cited once it is in force.
    citations = ("CIVIL-1033", "CIVIL-1035", "PIPL-13", "PIPL-14")
    rationale = Text(
        zh="被联系人从未与运营者接触，也无从同意，法院认定构成侵害隐私权与个人信息。",
        en="The person reached never dealt with the operator and could not consent; the court found an "
        "infringement of privacy and personal information.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        sources = data_sources(manifest)
        for purpose in manifest.purposes:
            marketing = is_marketing(purpose)
            if not marketing and purpose.channel is None:
                continue
            if disturbs_private_life(purpose):
                # Texts, calls, IM and e-mail reach people who never used the app: where the
                # numbers came from decides whether they are such people.
                for data_id in dict.fromkeys(purpose.data):
                    if sources[data_id] is None:
                        yield unstated("data", data_id, "source")
            from_contacts = [
                index
                for index, data_id in enumerate(purpose.data)
                if sources[data_id] is DataSource.OTHERS_ADDRESS_BOOK
            ]
            if marketing or from_contacts:
                yield from _hits(purpose, from_contacts, marketing)


def _hits(purpose: Purpose, from_contacts: list[int], marketing: bool) -> Iterator[Hit | Unknown]:
    options = purpose.marketing
    audience = options.audience if options is not None else None
    if audience is None and marketing:
        yield unstated("purposes", purpose.id, "marketing", "audience")
    for index, source in enumerate(audience or ()):
        if source is AudienceSource.ADDRESS_BOOK:
            yield Hit(
                pointer=pointer("purposes", purpose.id, "marketing", "audience", index),
                message=Text(
                    zh=f"“{purpose.id}”的发送对象来自其他用户上传的通讯录。",
                    en=f"'{purpose.id}' is sent to numbers taken from other users' uploaded address books.",
                ),
                data=tuple(purpose.data),
                purpose=purpose.id,
            )
    for index in from_contacts:
        yield Hit(
            pointer=pointer("purposes", purpose.id, "data", index),
            message=Text(
                zh=f"“{purpose.id}”使用了从他人通讯录中获取的“{purpose.data[index]}”，本人从未同意。",
                en=f"'{purpose.id}' uses '{purpose.data[index]}', found in other people's address books; "
                "the person never agreed.",
            ),
            data=(purpose.data[index],),
            purpose=purpose.id,
        )
    reaches_contacts = bool(from_contacts) or AudienceSource.ADDRESS_BOOK in (audience or ())
    names_others = options.names_other_people if options is not None else None
    if names_others is True:
        yield Hit(
            pointer=pointer("purposes", purpose.id, "marketing", "names_other_people"),
            message=Text(
                zh=f"“{purpose.id}”的信息文案列出收件人及其联系人的姓名，营造好友邀请的假象。",
                en=f"The copy of '{purpose.id}' names the recipient and their contacts, faking an "
                "invitation from friends.",
            ),
            data=tuple(purpose.data),
            purpose=purpose.id,
        )
    elif names_others is None and marketing and reaches_contacts:
        # Asked only where messages reach people from address books: that is how such copy is made.
        yield unstated("purposes", purpose.id, "marketing", "names_other_people")
