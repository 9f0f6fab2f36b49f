"""Observations built in code, as the browser walker would write them: the seed case, its fixed twin, and
walks that saw nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from consentgate.observe.model import (
    ControlRole,
    Observation,
    ObservedControl,
    ObservedField,
    ObservedRequest,
    ObservedScreen,
    Party,
    Path,
    PermissionRequest,
    Phase,
    PolicySearch,
    SentData,
    SettingCheck,
    SettingKind,
    SettingSet,
    Walk,
    WalkEnd,
    Where,
)

_AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SITE = "english.test"
PROFILE = (
    ("occupation", "职业", "profile.occupation"),
    ("goal", "学习目的", "profile.learning-goal"),
    ("level", "英语水平", "profile.language-level"),
    ("stage", "学段", "profile.education-stage"),
)


def _observation(*walks: Walk) -> Observation:
    return Observation(
        target=f"http://{SITE}/signup", started_at=_AT, finished_at=_AT, first_party=SITE, walks=walks
    )


def _submit(text: str = "提交") -> ObservedControl:
    return ObservedControl(role=ControlRole.SUBMIT, text=text, tag="button", area=3000)


def _request(
    seq: int, phase: Phase, screen: str, host: str, *sent: SentData, method: str = "POST"
) -> ObservedRequest:
    third = not host.endswith(SITE)
    return ObservedRequest(
        seq=seq,
        phase=phase,
        screen=screen,
        method=method,
        url=f"http://{host}/collect",
        host=host,
        site=host if third else SITE,
        party=Party.THIRD if third else Party.FIRST,
        sent=sent,
    )


def seed_case() -> Observation:
    """Straight to a login page, phone sent to a tracker at once, then a required questionnaire; no notice."""
    phone = SentData(category="contact.phone", where=Where.BODY, key="mobile")
    login = ObservedScreen(
        id="screen-1",
        seq=0,
        phase=Phase.LOADED,
        url=f"http://{SITE}/signup",
        title="登录",
        fields=(
            ObservedField(
                name="mobile", label="手机号", input_type="tel", required=True, category="contact.phone"
            ),
        ),
        controls=(_submit("登录"),),
        screenshot="accept-screen-1.png",
    )
    questionnaire = ObservedScreen(
        id="screen-2",
        seq=3,
        phase=Phase.ONBOARDING,
        url=f"http://{SITE}/questionnaire",
        taps=1,
        fields=tuple(ObservedField(name=n, label=lab, required=True, category=c) for n, lab, c in PROFILE),
        controls=(_submit(),),
        screenshot="accept-screen-2.png",
    )
    home = ObservedScreen(id="screen-3", seq=5, phase=Phase.ONBOARDING, url=f"http://{SITE}/home", taps=2)
    walk = Walk(
        path=Path.ACCEPT,
        end=WalkEnd.COMPLETED,
        screens=(login, questionnaire, home),
        requests=(
            _request(1, Phase.LOADED, "screen-1", "hm.baidu.com", phone, method="GET"),
            _request(2, Phase.LOADED, "screen-1", f"api.{SITE}", phone),
            _request(
                4,
                Phase.ONBOARDING,
                "screen-2",
                f"api.{SITE}",
                *(SentData(category=c, where=Where.BODY, key=n) for n, _, c in PROFILE),
            ),
        ),
    )
    return _observation(walk)


def fixed_case() -> Observation:
    """Notice first with agree and an equal browse-only button; optional questionnaire after consent."""
    notice = ObservedScreen(
        id="screen-1",
        seq=0,
        phase=Phase.NOTICE,
        url=f"http://{SITE}/",
        shows_notice=True,
        notice_chars=3200,
        controls=(
            ObservedControl(role=ControlRole.AGREE, text="同意", tag="button", area=3000),
            ObservedControl(role=ControlRole.BROWSE, text="仅浏览", tag="button", area=3000),
            ObservedControl(role=ControlRole.NOTICE_LINK, text="隐私政策", tag="a", area=400),
        ),
    )
    browse_home = ObservedScreen(id="screen-2", seq=2, phase=Phase.REFUSED, url=f"http://{SITE}/home", taps=1)
    refuse = Walk(path=Path.REFUSE, end=WalkEnd.COMPLETED, screens=(notice, browse_home), refused_at=1)
    questionnaire = ObservedScreen(
        id="screen-2",
        seq=2,
        phase=Phase.ONBOARDING,
        url=f"http://{SITE}/questionnaire",
        taps=1,
        fields=tuple(
            ObservedField(name=n, label=lab, required=False, category=c, purpose_text="用于推荐课程")
            for n, lab, c in PROFILE
        ),
        controls=(_submit(), ObservedControl(role=ControlRole.SKIP, text="跳过", tag="button", area=3000)),
    )
    home = ObservedScreen(id="screen-3", seq=4, phase=Phase.ONBOARDING, url=f"http://{SITE}/home", taps=2)
    accept = Walk(
        path=Path.ACCEPT,
        end=WalkEnd.COMPLETED,
        screens=(notice, questionnaire, home),
        agreed_at=1,
        requests=(
            _request(
                3,
                Phase.ONBOARDING,
                "screen-2",
                f"api.{SITE}",
                *(SentData(category=c, where=Where.BODY, key=n) for n, _, c in PROFILE),
            ),
        ),
    )
    return _observation(refuse, accept)


def unreachable() -> Observation:
    """Both walks stopped before any screen: nothing seen."""
    return _observation(
        Walk(path=Path.REFUSE, end=WalkEnd.UNREACHABLE, end_detail="connection refused"),
        Walk(path=Path.ACCEPT, end=WalkEnd.UNREACHABLE, end_detail="connection refused"),
    )


def steered_notice() -> Observation:
    """A notice with a big agree, a small refuse link, a pre-ticked box and a location prompt on load."""
    notice = ObservedScreen(
        id="screen-1",
        seq=0,
        phase=Phase.NOTICE,
        url=f"http://{SITE}/",
        shows_notice=True,
        screenshot="accept-screen-1.png",
        controls=(
            ObservedControl(role=ControlRole.AGREE, text="同意", tag="button", area=6000),
            ObservedControl(role=ControlRole.REFUSE, text="不同意", tag="a", area=600),
            ObservedControl(role=ControlRole.CONSENT_BOX, text="我已阅读并同意", tag="input", checked=True),
        ),
    )
    ask = PermissionRequest(seq=0, phase=Phase.NOTICE, screen="screen-1", permission="geolocation")
    return _observation(
        Walk(path=Path.ACCEPT, end=WalkEnd.COMPLETED, screens=(notice,), agreed_at=1, permissions=(ask,))
    )


def settings_reset(*, found: str = "on") -> Observation:
    """The refusal walk switched 个性化推荐 off on the first screen; reloading it showed the toggle `found`."""
    toggle = ObservedControl(role=ControlRole.OTHER, text="开启个性化推荐", tag="input", checked=True)
    first = ObservedScreen(
        id="screen-1",
        seq=0,
        phase=Phase.LOADED,
        url=f"http://{SITE}/signup",
        controls=(toggle, _submit("登录")),
        screenshot="refuse-screen-1.png",
    )
    walk = Walk(
        path=Path.REFUSE,
        end=WalkEnd.COMPLETED,
        screens=(first,),
        settings_set=(
            SettingSet(
                seq=1,
                screen="screen-1",
                url=first.url,
                setting=toggle.text,
                kind=SettingKind.BOX,
                state="off",
            ),
        ),
        setting_checks=(
            SettingCheck(
                seq=5,
                setting=toggle.text,
                set_on="screen-1",
                url=first.url,
                person_set="off",
                found=found,
                screenshot="refuse-recheck-1.png",
            ),
        ),
    )
    return _observation(walk)


def with_policy_search(observation: Observation, search: PolicySearch) -> Observation:
    """`observation` whose acceptance walk searched the policy from its last screen as `search` says."""
    walks = tuple(
        w.model_copy(update={"policy_search": search}) if w.path is Path.ACCEPT else w
        for w in observation.walks
    )
    return observation.model_copy(update={"walks": walks})


def asked_location(*, purpose_shown: bool | None) -> Observation:
    """The fixed flow, plus a location prompt after agreeing, with or without its purpose on screen."""
    observation = fixed_case()
    ask = PermissionRequest(
        seq=5,
        phase=Phase.ONBOARDING,
        screen="screen-3",
        permission="geolocation",
        purpose_shown=purpose_shown,
    )
    walks = tuple(
        w.model_copy(update={"permissions": (ask,)}) if w.path is Path.ACCEPT else w
        for w in observation.walks
    )
    return observation.model_copy(update={"walks": walks})
