"""Rule 20: no published complaint channel, or one that promises more than 15 working days.

As with rights (rule 14c), an unset `working_days` is not a finding: AVIM 6.5 itself makes
15 working days the limit where none is promised. A channel, or whether it is published, that the
manifest does not state is unknown, not missing.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import Manifest
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.text import Text

MAX_WORKING_DAYS = 15


class NoComplaintChannel(Rule):
    id = "CG-AVIM-065-NO-COMPLAINT-CHANNEL"
    severity = Severity.MEDIUM
    title = Text(
        zh="未建立并公布个人信息安全投诉、举报渠道，或处理时限超过 15 个工作日",
        en="No published channel for personal-information complaints, or a limit over 15 working days",
    )
    remediation = Text(
        zh=f"建立投诉、举报渠道（如电话、邮箱、在线表单），在个人信息处理规则中公布，"
        f"并承诺不超过 {MAX_WORKING_DAYS} 个工作日受理并处理。",
        en=f"Set up a complaint and reporting channel (phone, e-mail, online form), publish it in the "
        f"processing rules, and promise to handle complaints within {MAX_WORKING_DAYS} working days.",
    )
    citations = ("AVIM-6.5",)
    rationale = Text(
        zh="缺少投诉渠道是管理义务的违反，本身不使具体的处理活动违法。",
        en="A missing complaint channel breaches an organisational duty without by itself making any "
        "processing unlawful.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        complaints = manifest.complaints
        if complaints.has_channel is None:
            yield Unknown(pointer("complaints", "channel"), "complaints.channel")
        elif not complaints.has_channel:
            yield Hit(
                pointer=pointer("complaints", "channel"),
                message=Text(
                    zh="没有个人信息安全投诉、举报渠道。",
                    en="There is no channel for personal-information complaints and reports.",
                ),
            )
        elif complaints.published is None:
            yield Unknown(pointer("complaints", "published"), "complaints.published")
        elif not complaints.published:
            yield Hit(
                pointer=pointer("complaints", "published"),
                message=Text(
                    zh=f"投诉、举报渠道“{complaints.channel}”未对外公布。",
                    en=f"The complaint channel '{complaints.channel}' is not published.",
                ),
            )
        if complaints.working_days is not None and complaints.working_days > MAX_WORKING_DAYS:
            yield Hit(
                pointer=pointer("complaints", "working_days"),
                message=Text(
                    zh=f"投诉处理承诺时限为 {complaints.working_days} 个工作日，超过 {MAX_WORKING_DAYS} 个工作日。",
                    en=f"Complaints are promised to be handled within {complaints.working_days} working days, "
                    f"more than {MAX_WORKING_DAYS}.",
                ),
            )
