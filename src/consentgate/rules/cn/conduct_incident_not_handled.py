"""Conduct: a personal-information security incident not remedied, or not told to the people or the authority.

Civil Code 1038 para 2: where personal information is or may be leaked, tampered with or lost, the
processor shall take remedial measures in time, inform the people concerned as regulations require,
and report to the competent authority. `conduct.incidents` records what happened and what was done.

Left unremedied, the data stays exposed: a failure of the security duty itself (high). Not telling
the people or the authority breaches the duty to inform that follows it (medium). People need not be
told where the record states that nobody was affected (`people_affected: 0`).

PIPL 57 says the same in more detail, but its text is not in the law catalog (nor among the project's
reference texts), so it is not cited.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.conduct import Incident, IncidentKind
from consentgate.manifest.models import Manifest
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.cn._conduct import named, on, record_at, unstated
from consentgate.text import Text

_KIND = {
    IncidentKind.LEAK: Text(zh="泄露", en="leak"),
    IncidentKind.TAMPERING: Text(zh="篡改", en="tampering"),
    IncidentKind.LOSS: Text(zh="丢失", en="loss"),
}
_FAILURES = {
    "remedied": (Severity.HIGH, Text(zh="未采取补救措施", en="was not remedied")),
    "notified_people": (
        Severity.MEDIUM,
        Text(zh="未告知受影响的个人", en="was not told to the people affected"),
    ),
    "notified_authority": (
        Severity.MEDIUM,
        Text(zh="未向有关主管部门报告", en="was not reported to the authority"),
    ),
}


class IncidentNotHandled(Rule):
    id = "CG-CIVIL-1038-INCIDENT-NOT-HANDLED"
    severity = Severity.HIGH
    title = Text(
        zh="发生个人信息泄露、篡改、丢失后未及时补救，或未告知个人、未向主管部门报告",
        en="A personal-information leak, tampering or loss not remedied, or not told to the people or the authority",
    )
    remediation = Text(
        zh="立即采取补救措施（封堵漏洞、撤回或更换泄露的凭据、追回数据），按规定告知受影响的个人"
        "（发生了什么、涉及哪些信息、可以怎样自我保护），并向有关主管部门报告；记录处置经过。",
        en="Remedy at once (close the hole, revoke or rotate leaked credentials, recover the data), tell the "
        "people affected as regulations require (what happened, which data, how to protect themselves), "
        "report to the competent authority, and keep a record of the handling.",
    )
    citations = ("CIVIL-1038",)
    rationale = Text(
        zh="未补救使信息持续暴露，是安全保障义务本身的违反（高）；未告知、未报告违反随之而来的告知义务（中）。",
        en="Unremedied, the data stays exposed: the security duty itself is broken (high). Not telling people "
        "or the authority breaches the duty to inform that follows (medium).",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        if manifest.conduct is None:
            return  # conduct is optional evidence: nothing recorded, nothing to judge
        for index, incident in enumerate(manifest.conduct.incidents):
            yield from _judge(index, incident)


def _judge(index: int, incident: Incident) -> Iterator[Hit | Unknown]:
    stated = {
        "remedied": incident.remedied,
        "notified_people": incident.notified_people,
        "notified_authority": incident.notified_authority,
    }
    for field, done in stated.items():
        if field == "notified_people" and incident.people_affected == 0:
            continue  # nobody affected, nobody to tell
        if done is None:
            yield unstated("incidents", incident, index, field)
        elif done is False:
            severity, failure = _FAILURES[field]
            yield Hit(
                pointer=record_at("incidents", incident, index, field),
                message=Text(
                    zh=f"事件记录{named(incident, index).zh}：{_describe(incident).zh}{failure.zh}。",
                    en=f"Incident {named(incident, index).en}: {_describe(incident).en} {failure.en}.",
                ),
                severity=None if severity is Severity.HIGH else severity,
                data=tuple(incident.data),
            )


def _describe(incident: Incident) -> Text:
    kind = _KIND[incident.kind] if incident.kind is not None else Text(zh="安全事件", en="security incident")
    items = (
        Text(zh=f"（涉及 {'、'.join(incident.data)}）", en=f" of {', '.join(incident.data)}")
        if incident.data
        else Text(zh="", en="")
    )
    people = (
        Text(zh=f"，影响 {incident.people_affected} 人", en=f" affecting {incident.people_affected} people")
        if incident.people_affected
        else Text(zh="", en="")
    )
    day = on(incident.date)
    return Text(
        zh=f"个人信息{kind.zh}{items.zh}{day.zh}{people.zh}，",
        en=f"the {kind.en}{items.en}{day.en}{people.en}",
    )
