"""Conduct: a request to exercise a right that was refused, ignored or only partly carried out.

The design rules ask whether a channel exists (rule 14); this one reads `conduct.requests`, what became
of requests actually made. PIPL 50 wants a convenient mechanism for accepting requests and reasons for
every refusal; each right has its own clause.

How much it weighs depends on where the request came in:
- through a channel the app publishes for it, or the right's own channel declared in `rights:`
  (`consent.withdrawal` for a withdrawal, `complaints:` for a complaint): the right was denied, high;
- where the design states the app offers no channel for the right at all, wherever the person asked
  was the only way they had: high as well (the seed plaintiff had to sue for his copy and deletion);
- sent somewhere else, to a channel the app does not publish for it: medium, and the finding says why;
  a processor should still pass such a request on, but did not invite it there.
A refusal with a reason, or a request only partly carried out, is one step milder: the reason may be an
exception the law allows, which a person must judge. An unstated reason is given that benefit, and
the check of it stays unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from consentgate.manifest.conduct import Outcome, RequestedRight, RightsRequest
from consentgate.manifest.models import Manifest, WithdrawalChannel
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cn._conduct import milder, named, on, record_at, unstated
from consentgate.rules.cn.rights_channels import RIGHT_ACTIONS
from consentgate.text import Text

# What each request asked for, and the clause that grants it.
ASKED: dict[RequestedRight, tuple[Text, tuple[str, ...]]] = {
    RequestedRight.COPY: (RIGHT_ACTIONS["copy"], ("PIPL-45", "PIPL-50")),
    RequestedRight.CORRECT: (RIGHT_ACTIONS["correct"], ("PIPL-46", "PIPL-50")),
    RequestedRight.DELETE: (RIGHT_ACTIONS["delete"], ("PIPL-47", "PIPL-50")),
    RequestedRight.CANCEL_ACCOUNT: (RIGHT_ACTIONS["cancel_account"], ("AVIM-6.1", "PIPL-50")),
    RequestedRight.RESTRICT: (RIGHT_ACTIONS["restrict"], ("PIPL-44", "PIPL-50")),
    RequestedRight.WITHDRAW: (Text(zh="撤回同意", en="withdraw consent"), ("PIPL-15", "PIPL-50")),
    RequestedRight.COMPLAINT: (
        Text(zh="投诉、举报个人信息问题", en="complain about the processing"),
        ("AVIM-6.5",),
    ),
}

_OUTCOME = {
    Outcome.IGNORED: Text(zh="未获任何答复", en="was never answered"),
    Outcome.REFUSED: Text(zh="被拒绝", en="was refused"),
    Outcome.PARTIAL: Text(zh="只完成了一部分", en="was only partly carried out"),
}


class Route(Enum):
    """How the request reached the app, as far as the design and the record tell."""

    DECLARED = "declared"  # the right's own channel in the design
    NONE_OFFERED = "none-offered"  # the design states there is no channel for this right
    PUBLISHED = "published"  # another channel the app publishes
    ELSEWHERE = "elsewhere"  # a channel the app does not publish for it


_ROUTE = {
    Route.DECLARED: Text(
        zh="该途径正是清单为此权利声明的渠道。", en=" That is the channel the design declares for this right."
    ),
    Route.NONE_OFFERED: Text(
        zh="App 未提供行使该权利的渠道，个人只能通过其他途径提出。",
        en=" The app offers no channel for this right, so the person had to ask elsewhere.",
    ),
    Route.PUBLISHED: Text(zh="该途径是 App 公布的渠道。", en=" That channel is one the app publishes."),
    Route.ELSEWHERE: Text(
        zh="该途径并非 App 为此公布的渠道，故降低一级；处理者仍应转交受理。",
        en=" That channel is not one the app publishes for it, hence one level lower; a processor should "
        "still pass such a request on.",
    ),
}


class RequestRefused(Rule):
    id = "CG-PIPL-050-REQUEST-REFUSED"
    severity = Severity.HIGH
    title = Text(
        zh="个人行使权利的请求被拒绝、无人答复或只部分完成",
        en="A request to exercise a right was refused, ignored or only partly carried out",
    )
    remediation = Text(
        zh="受理并完成该请求；确需拒绝的，书面说明理由并告知可以向法院起诉；"
        "把所有途径（客服、邮箱、应用内）收到的请求都纳入同一受理流程并限时处理。",
        en="Accept and carry out the request; where refusal is really justified, give the reason in writing "
        "and say that the person may sue; route requests from every channel (support, e-mail, in-app) into "
        "one handling process with a deadline.",
    )
    citations = ("PIPL-50", "PIPL-45", "PIPL-46", "PIPL-47", "PIPL-44", "PIPL-15", "AVIM-6.1", "AVIM-6.5")
    rationale = Text(
        zh="经公布的渠道提出的请求遭拒或无人理睬，法定权利即被剥夺，原案原告只能诉至法院；"
        "经未公布渠道提出的为中等。",
        en="A request through the published channel refused or ignored denies a statutory right outright; the "
        "seed plaintiff had to sue. Through an unpublished channel it is medium.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return  # conduct is optional evidence: nothing recorded, nothing to judge
        for index, request in enumerate(manifest.conduct.requests):
            yield from _judge(manifest, index, request)


def _judge(manifest: Manifest, index: int, request: RightsRequest) -> Iterator[Hit | Unknown]:
    if request.outcome is None:
        yield unstated("requests", request, index, "outcome")
        return
    if request.outcome is Outcome.FULFILLED:
        return  # whether it was fulfilled in time is CG-AVIM-063-REQUEST-ANSWERED-LATE's question
    route = _route(manifest, request)
    if route is None:
        yield unstated("requests", request, index, "channel_published")
        return
    severity = Severity.MEDIUM if route is Route.ELSEWHERE else Severity.HIGH
    reason = Text(zh="", en="")
    if request.outcome is Outcome.PARTIAL:
        severity = milder(severity)
    elif request.outcome is Outcome.REFUSED:
        gave = request.gave_reason
        if gave is None:
            yield unstated("requests", request, index, "reason")
            severity = milder(severity)
            reason = Text(
                zh="；清单未写明是否说明了理由", en="; the manifest does not say whether a reason was given"
            )
        elif gave:
            severity = milder(severity)
            reason = Text(
                zh=f"；给出的理由是“{request.reason}”，请核实它是否属于法律允许的例外",
                en=f"; the reason given was '{request.reason}': check that it is an exception the law allows",
            )
        else:
            reason = Text(zh="，且未说明理由", en=", and no reason was given")
    asked, clauses = ASKED[request.right]
    via = (
        Text(zh=f"（提出途径：{request.channel}）", en=f" via '{request.channel}'")
        if request.channel
        else Text(zh="", en="")
    )
    route_note, outcome, received = _ROUTE[route], _OUTCOME[request.outcome], on(request.received)
    yield Hit(
        pointer=record_at("requests", request, index, "outcome"),
        message=Text(
            zh=f"请求记录{named(request, index).zh}：个人{received.zh}请求{asked.zh}{via.zh}，"
            f"该请求{outcome.zh}{reason.zh}。{route_note.zh}",
            en=f"Request {named(request, index).en}: the person asked{received.en} to {asked.en}{via.en}; "
            f"the request {outcome.en}{reason.en}.{route_note.en}",
        ),
        severity=None if severity is Severity.HIGH else severity,
        only=clauses,
        data=tuple(request.data),
        purpose=request.purpose,
    )


@dataclass(frozen=True)
class _Declared:
    channel: str | None  # the channel the design declares for the right, if any
    none_offered: bool  # the design states that there is no channel for it


def _declared(manifest: Manifest, right: RequestedRight) -> _Declared:
    if right is RequestedRight.WITHDRAW:
        way = manifest.consent.withdrawal.channel
        if way is WithdrawalChannel.NONE:
            return _Declared(None, none_offered=True)
        return _Declared(way.value if way is not None else None, none_offered=False)
    if right is RequestedRight.COMPLAINT:
        return _Declared(
            manifest.complaints.channel_text, none_offered=manifest.complaints.has_channel is False
        )
    declared = manifest.rights.by_name()[right.value]
    if declared is not None and not declared.available:
        return _Declared(None, none_offered=True)
    return _Declared(declared.channel if declared is not None else None, none_offered=False)


def _route(manifest: Manifest, request: RightsRequest) -> Route | None:
    declared = _declared(manifest, request.right)
    if (
        request.channel is not None
        and declared.channel is not None
        and _same(request.channel, declared.channel)
    ):
        return Route.DECLARED
    if declared.none_offered:
        return Route.NONE_OFFERED
    if request.channel_published is None:
        return None
    return Route.PUBLISHED if request.channel_published else Route.ELSEWHERE


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()
