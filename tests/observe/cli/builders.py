"""Observations and evidence built by hand, so the reports are tested before the walker and inference
exist: the shapes are those of `observe/model.py` and of `observe.evidence.EvidenceRef`."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

from consentgate.observe.evidence import EvidenceKind, EvidenceRef
from consentgate.observe.model import (
    ControlRole,
    Observation,
    ObservedControl,
    ObservedCookie,
    ObservedField,
    ObservedRequest,
    ObservedScreen,
    Party,
    PermissionRequest,
    Phase,
    SentData,
    Walk,
    WalkEnd,
    Where,
)
from consentgate.observe.model import Path as WalkPath
from consentgate.text import Text

TARGET = "http://127.0.0.1:8000/signup"
WHEN = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
# The smallest valid PNG (1×1, transparent): enough to be embedded and recognised as an image.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def ref(path: str, seq: int, kind: str, description: Text, screenshot: str | None = None) -> EvidenceRef:
    """An evidence reference as inference writes it."""
    return EvidenceRef(WalkPath(path), seq, EvidenceKind(kind), description, screenshot)


def faulty_observation(*, device: str | None = "iPhone 13") -> Observation:
    """The seed case as a browser sees it: location asked and the phone sent away before any choice."""
    login = ObservedScreen(
        id="screen-1",
        seq=0,
        phase=Phase.LOADED,
        url=TARGET,
        title="登录",
        fields=(
            ObservedField(
                name="phone", label="手机号", input_type="tel", required=True, category="contact.phone"
            ),
        ),
        controls=(ObservedControl(role=ControlRole.SUBMIT, text="登录", tag="button", area=3600.0),),
        screenshot="accept-screen-1.png",
    )
    questions = ObservedScreen(
        id="screen-2",
        seq=6,
        phase=Phase.ONBOARDING,
        url="http://127.0.0.1:8000/questionnaire",
        title="完善学习信息",
        taps=1,
        fields=(ObservedField(name="occupation", label="职业", input_type="select", required=True),),
        screenshot="accept-screen-2.png",
    )
    beacon = ObservedRequest(
        seq=3,
        phase=Phase.LOADED,
        screen="screen-1",
        method="POST",
        url="http://127.0.0.2:9000/collect?phone",
        host="127.0.0.2",
        site="127.0.0.2",
        party=Party.THIRD,
        resource_type="ping",
        sent=(SentData(category="contact.phone", where=Where.URL, key="phone"),),
        company="示例统计",
    )
    own = ObservedRequest(
        seq=1,
        phase=Phase.LOADED,
        method="GET",
        url=TARGET,
        host="127.0.0.1",
        site="127.0.0.1",
        party=Party.FIRST,
    )
    walk = Walk(
        path=WalkPath.ACCEPT,
        end=WalkEnd.COMPLETED,
        screens=(login, questions),
        requests=(own, beacon),
        cookies=(
            ObservedCookie(
                seq=2,
                phase=Phase.LOADED,
                name="uid",
                domain="127.0.0.2",
                site="127.0.0.2",
                party=Party.THIRD,
                persistent=True,
            ),
        ),
        permissions=(
            PermissionRequest(seq=1, phase=Phase.LOADED, screen="screen-1", permission="geolocation"),
        ),
        agreed_at=5,
    )
    refuse = Walk(path=WalkPath.REFUSE, end=WalkEnd.COMPLETED, end_detail="没有拒绝选项 / no way to refuse")
    return Observation(
        target=TARGET,
        device=device,
        started_at=WHEN,
        finished_at=WHEN,
        first_party="127.0.0.1",
        walks=(refuse, walk),
    )


def unreachable_observation(target: str = "http://127.0.0.1:1/signup") -> Observation:
    walk = Walk(path=WalkPath.REFUSE, end=WalkEnd.UNREACHABLE, end_detail="连接被拒绝 / connection refused")
    return Observation(
        target=target, started_at=WHEN, finished_at=WHEN, first_party="127.0.0.1", walks=(walk,)
    )


def write_screenshots(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("accept-screen-1.png", "accept-screen-2.png"):
        (folder / name).write_bytes(PNG)


def phone_evidence() -> dict[str, tuple[EvidenceRef, ...]]:
    """Evidence by manifest pointer, as inference gives it (never at the root: no finding is about all)."""
    return {
        "/onboarding": (
            ref(
                "accept",
                6,
                "screen",
                Text(zh="问卷必填且无法跳过", en="questionnaire required, no skip"),
                "accept-screen-2.png",
            ),
        ),
        # Inference keys what it saw at the node it wrote; here the whole of two sections.
        "/purposes": (
            ref("accept", 3, "request", Text(zh="手机号发往第三方", en="phone sent to a third party")),
            ref(
                "accept",
                1,
                "permission",
                Text(zh="加载即申请定位", en="location asked on load"),
                "accept-screen-1.png",
            ),
        ),
    }
