"""Conduct: a request answered later than the promised time, or than 15 working days.

The design rule 14c checks the promise; this one checks the record (`conduct.requests`): the working
days from `received` to `answered`, counted on China's official calendar the runtime's deadline clock
uses (`runtime/rights/deadlines.py`; the day of receipt does not count). The limit is the time the
manifest promises for the right (`rights.<right>.working_days`, `complaints.working_days`) where it is
at most 15 working days, else 15: AVIM 6.3 and 6.5 say a promise may not exceed 15 and none promised
means 15.

A withdrawal has no deadline of its own (PIPL 15 wants it convenient, and effective); what is done
after it is judged by the marketing and provision rules. A request never answered is
CG-PIPL-050-REQUEST-REFUSED's finding, not a late one.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.conduct import Outcome, RequestedRight, RightsRequest
from consentgate.manifest.models import Manifest
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cn._conduct import named, record_at, unstated
from consentgate.rules.cn.conduct_request_refused import ASKED
from consentgate.runtime.rights.deadlines import (
    STATUTORY_WORKING_DAYS,
    CalendarUnknownYear,
    is_provisional,
    working_days_between,
)
from consentgate.text import Text


class RequestAnsweredLate(Rule):
    id = "CG-AVIM-063-REQUEST-ANSWERED-LATE"
    severity = Severity.MEDIUM
    title = Text(
        zh="个人行使权利的请求或投诉超过承诺时限（最长 15 个工作日）才处理",
        en="A rights request or complaint handled later than promised (at most 15 working days)",
    )
    remediation = Text(
        zh=f"为每个请求设定到期日（承诺时限，最长 {STATUTORY_WORKING_DAYS} 个工作日），到期前提醒并升级处理，"
        "能自动完成的即时完成。",
        en=f"Give every request a due date (the promised time, at most {STATUTORY_WORKING_DAYS} working days), "
        "remind and escalate before it, and complete at once whatever can be automated.",
    )
    citations = ("AVIM-6.3", "AVIM-6.5", "PIPL-50")
    rationale = Text(
        zh="迟延处理拖延而非否定权利，属于未尽及时处理义务。",
        en="A late answer delays rather than denies the right: a breach of the duty to act in time.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return  # conduct is optional evidence: nothing recorded, nothing to judge
        for index, request in enumerate(manifest.conduct.requests):
            if request.right is RequestedRight.WITHDRAW or request.outcome is Outcome.IGNORED:
                continue
            yield from _judge(manifest, index, request)


def _limit(manifest: Manifest, right: RequestedRight) -> tuple[int, bool, tuple[str, ...]]:
    """(working days allowed, whether that is the app's own promise, the clauses that set it)."""
    clauses: tuple[str, ...]
    if right is RequestedRight.COMPLAINT:
        promised, clauses = manifest.complaints.working_days, ("AVIM-6.5",)
    else:
        declared = manifest.rights.by_name()[right.value]
        promised = declared.working_days if declared is not None and declared.available else None
        clauses = ("AVIM-6.3", "PIPL-50")
    if promised is not None and promised <= STATUTORY_WORKING_DAYS:
        return promised, True, clauses
    return STATUTORY_WORKING_DAYS, False, clauses  # a longer promise is rule 14c's (or 20's) finding


def _judge(manifest: Manifest, index: int, request: RightsRequest) -> Iterator[Hit | Unknown]:
    if request.received is None:
        yield unstated("requests", request, index, "received")
        return
    if request.answered is None:
        yield unstated("requests", request, index, "answered")
        return
    try:
        taken = working_days_between(request.received, request.answered)
    except CalendarUnknownYear:
        return  # before the official calendar starts (2004): long before the method and the PIPL
    limit, promised, clauses = _limit(manifest, request.right)
    if taken <= limit:
        return
    bound = (
        Text(zh=f"承诺的 {limit} 个工作日", en=f"the {limit} working days promised")
        if promised
        else Text(zh=f" {limit} 个工作日的上限", en=f"the {limit}-working-day limit")
    )
    provisional = (
        Text(
            zh="（节假日安排尚未公布，按暂定日历计算）",
            en=" (counted provisionally: holidays not yet published)",
        )
        if is_provisional(request.answered)
        else Text(zh="", en="")
    )
    asked = ASKED[request.right][0]
    yield Hit(
        pointer=record_at("requests", request, index, "answered"),
        message=Text(
            zh=f"请求记录{named(request, index).zh}：{request.received.isoformat()} 收到的{asked.zh}请求，"
            f"{request.answered.isoformat()} 才处理，历时 {taken} 个工作日{provisional.zh}，超过{bound.zh}。",
            en=f"Request {named(request, index).en}: the request to {asked.en} received on "
            f"{request.received.isoformat()} was answered on {request.answered.isoformat()}, {taken} working "
            f"days later{provisional.en}, beyond {bound.en}.",
        ),
        only=clauses,
        data=tuple(request.data),
        purpose=request.purpose,
    )
