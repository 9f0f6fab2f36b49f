"""Inference of what the walker's extra looks saw: a setting turned back on (AVIM 3.5), the policy's taps
from the main screen (AVIM 1.3), a permission's purpose on screen when it was asked (AVIM 2.3)."""

from __future__ import annotations

from consentgate.audit.findings import Finding
from consentgate.manifest.models import Manifest
from consentgate.observe.infer import infer, judge
from consentgate.observe.model import PolicySearch
from tests.observe.infer.observations import (
    asked_location,
    fixed_case,
    seed_case,
    settings_reset,
    with_policy_search,
)

LEARNING_APP = Manifest.model_validate({"app": {"name": "英语学习App", "type": "learning-education"}})
SETTING = "CG-AVIM-035-SETTING-CHANGED"
TAPS = "CG-AVIM-013-POLICY-TOO-MANY-TAPS"
PURPOSE = "CG-AVIM-023-PURPOSE-NOT-SHOWN"


def _active(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule and f.active and not f.unconfirmed]


def _search(taps: int | None, *, complete: bool = True) -> PolicySearch:
    return PolicySearch(
        main_url="http://english.test/home",
        main_screen="screen-3",
        limit=5,
        taps=taps,
        via=("我的", "设置", "通用设置", "关于我们", "隐私政策")[: taps or 0],
        complete=complete,
        pages_read=7,
        screenshot="accept-menu-5.png" if taps else None,
    )


def test_a_setting_found_on_after_the_refusal_walk_left_it_off_is_a_change_nobody_made() -> None:
    inferred = infer(settings_reset())
    assert inferred.manifest["conduct"]["setting_changes"] == [
        {
            "id": "refuse-setting-1",
            "setting": "开启个性化推荐",
            "person_set": "off",
            "found": "on",
            "by_person": False,
            "screen": "refuse-screen-1",
        }
    ]
    (hit,) = _active(judge(inferred), SETTING)
    assert hit.severity.value == "high" and "开启个性化推荐" in hit.message.zh
    assert "partly verbatim" in hit.message.en, "AVIM 3.5 is only partly verified: the finding says so"
    assert [e.screenshot for e in hit.evidence] == ["refuse-screen-1.png", "refuse-recheck-1.png"]


def test_a_setting_found_as_it_was_set_is_no_record_at_all() -> None:
    inferred = infer(settings_reset(found="off"))
    assert "setting_changes" not in inferred.manifest.get("conduct", {})
    assert not [f for f in judge(inferred) if f.rule_id == SETTING]


def test_a_policy_five_taps_from_the_main_screen_is_too_far_even_with_no_notice_in_the_flow() -> None:
    inferred = infer(with_policy_search(seed_case(), _search(5)), declared=LEARNING_APP)
    (notice,) = inferred.manifest["notices"]
    assert notice["taps_from_main"] == 5 and notice["shown"] == "on-request" and notice["prominent"] is False
    (hit,) = _active(judge(inferred), TAPS)
    assert "5" in hit.message.en
    assert any(
        e.screenshot == "accept-menu-5.png" and "我的 › 设置" in e.description.zh for e in hit.evidence
    )


def test_taps_are_counted_from_the_main_screen_not_from_the_first_page() -> None:
    near = infer(with_policy_search(fixed_case(), _search(2)), declared=LEARNING_APP)
    assert near.manifest["notices"][0]["taps_from_main"] == 2
    assert not _active(judge(near), TAPS)
    far = infer(with_policy_search(fixed_case(), _search(5)), declared=LEARNING_APP)
    assert far.manifest["notices"][0]["taps_from_main"] == 5, "the notice on the first page does not count"
    assert _active(judge(far), TAPS)


def test_a_complete_search_that_found_nothing_is_more_than_its_limit_and_a_cut_short_one_is_unknown() -> None:
    nothing = infer(with_policy_search(fixed_case(), _search(None)))
    assert nothing.manifest["notices"][0]["taps_from_main"] == 6
    (hit,) = _active(judge(nothing), TAPS)
    assert any("within 5 taps" in e.description.en for e in hit.evidence)
    cut = infer(with_policy_search(fixed_case(), _search(None, complete=False)))
    assert "taps_from_main" not in cut.manifest["notices"][0]
    assert "taps_from_main" not in infer(fixed_case()).manifest["notices"][0], "no search, no count"


def test_a_permission_asked_without_its_purpose_on_screen_is_found_and_with_it_is_not() -> None:
    without = infer(asked_location(purpose_shown=False), declared=LEARNING_APP)
    (ask,) = without.manifest["conduct"]["permissions"]
    assert ask["purpose_shown"] is False
    assert _active(judge(without), PURPOSE)
    shown = judge(infer(asked_location(purpose_shown=True), declared=LEARNING_APP))
    assert not [f for f in shown if f.rule_id == PURPOSE]
    unread = judge(infer(asked_location(purpose_shown=None), declared=LEARNING_APP))
    assert [f.unconfirmed for f in unread if f.rule_id == PURPOSE] == [True]
