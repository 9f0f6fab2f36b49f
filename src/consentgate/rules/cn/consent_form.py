"""Issue 13: consent obtained in a form that is not voluntary and explicit (`consent.form`).

PIPL 14 wants consent "在充分知情的前提下自愿、明确作出"; PIPL 16 forbids refusing a product or service
because someone does not consent to processing it does not need. Three forms fail one of these for the
purposes that rest on consent:
- acceptance by concluding a contract after a posted notice: signing up or buying agrees to the
  contract, not expressly to processing the contract does not need (AVIM 3.4 names 非明示方式);
- consent-or-pay: refusing costs money, so the service is withheld from whoever refuses, and consent
  with a price on refusing is not free. No reference text names this model: the finding is our reading
  of PIPL 14 and 16 and the necessary-PI rule (NPI Art. 4), hence medium;
- consent asked only after logging in, and no onboarding screen offers refuse, skip or browse-only: the
  seed court held consent taken on the first-login screen, "未设置“跳过”“拒绝”等", forced and invalid.
A tick box or "agree" button for the processing itself passes here; its details are other rules'.
"""

from __future__ import annotations

from collections.abc import Iterator

from consentgate.manifest.models import ConsentForm, Manifest, Purpose, ScreenAction
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Hit, Rule, Severity, Unknown
from consentgate.rules.personal import personal_ids
from consentgate.text import Text

_DECLINE = {ScreenAction.REFUSE, ScreenAction.SKIP, ScreenAction.BROWSE}
_CONTRACT_CLAUSES = ("PIPL-14", "AVIM-3.4")
_PAY_CLAUSES = ("PIPL-14", "PIPL-16", "NPI-article-4")
_LOGIN_CLAUSES = ("PIPL-16", "PIPL-14", "CIVIL-1035")


class ConsentNotFreelyGiven(Rule):
    id = "CG-PIPL-014-CONSENT-NOT-FREELY-GIVEN"
    severity = Severity.HIGH
    title = Text(
        zh="同意不自愿或不明确：由订立合同推定、以付费为拒绝的代价或以登录为条件",
        en="Consent not freely given: read into a contract, priced, or a condition of login",
    )
    remediation = Text(
        zh="就需要同意的各项目的以未勾选的选项或“同意”按钮单独征求同意（consent.form: tick-box）；"
        "拒绝不产生费用，也不影响登录和使用基本功能。",
        en="Ask for consent to each purpose that needs it with an unticked box or an 'agree' button "
        "(consent.form: tick-box); refusing must cost nothing and must not block logging in or the "
        "basic function.",
    )
    citations = ("PIPL-14", "PIPL-16", "AVIM-3.4", "NPI-article-4", "CIVIL-1035")
    rationale = Text(
        zh="推定的或被迫的同意不是有效同意，处理因此没有同意基础（种子案件法院据此认定侵权）。"
        "“同意或付费”为较轻形式（中等）：拒绝仍然可能，只是有代价，且参考文本未直接规定此种模式。",
        en="Inferred or forced consent is no consent, which leaves the processing without a basis (the "
        "seed court held so). Consent-or-pay is the milder form (medium): refusing is possible at a price, "
        "and no reference text addresses the model directly.",
    )

    def evaluate(self, manifest: Manifest) -> Iterator[Hit | Unknown]:
        # Purposes that process anonymised data only process no personal information (PIPL 4).
        personal = [p for p in manifest.purposes if not p.data or personal_ids(manifest, p.data)]
        consented = [p for p in personal if p.basis is not None and p.basis.is_consent]
        unstated = [p for p in personal if p.basis is None]
        form = manifest.consent.form
        if form is None:
            if consented or unstated:
                yield Unknown(pointer("consent", "form"), "consent.form")
            return
        if form is ConsentForm.TICK_BOX:
            return
        for purpose in unstated:
            yield Unknown(pointer("purposes", purpose.id, "basis"), f"purposes[{purpose.id}].basis")
        if not consented:
            return
        if form is ConsentForm.CONTRACT_ACCEPTANCE:
            yield _contract_acceptance(consented)
        elif form is ConsentForm.CONSENT_OR_PAY:
            yield _consent_or_pay(consented, manifest.consent.price)
        elif not manifest.states("onboarding"):
            yield Unknown(pointer("onboarding"), "onboarding")
        elif not any(_DECLINE & set(s.actions) for s in manifest.onboarding):
            yield _after_login(consented)


def _data(purposes: list[Purpose]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(d for p in purposes for d in p.data))


def _one(purposes: list[Purpose]) -> str | None:
    return purposes[0].id if len(purposes) == 1 else None


def _ids(purposes: list[Purpose]) -> Text:
    return Text(zh="、".join(p.id for p in purposes), en=", ".join(p.id for p in purposes))


def _contract_acceptance(purposes: list[Purpose]) -> Hit:
    ids = _ids(purposes)
    return Hit(
        pointer=pointer("consent", "form"),
        message=Text(
            zh=f"以发布告知后订立合同（注册、购买）推定同意：订立合同是同意合同，并非明确同意合同不需要的"
            f"处理（{ids.zh}），更不是单独同意。",
            en="Consent is inferred from concluding the contract (signing up, buying) after a posted notice: "
            f"that agrees to the contract, not explicitly to processing the contract does not need ({ids.en}), "
            "and is never a separate consent.",
        ),
        only=_CONTRACT_CLAUSES,
        data=_data(purposes),
        purpose=_one(purposes),
    )


def _consent_or_pay(purposes: list[Purpose], price: str | None) -> Hit:
    ids = _ids(purposes)
    cost = Text(zh=price, en=price) if price else Text(zh="（价格未写明）", en="(price not stated)")
    return Hit(
        pointer=pointer("consent", "form"),
        message=Text(
            zh=f"“同意或付费”：不同意{ids.zh}就须付费{cost.zh}才能使用。拒绝有代价的同意并非自愿作出，"
            "不同意非必要的处理即不予提供服务。",
            en=f"Consent or pay: whoever does not consent to {ids.en} must pay {cost.en} to use the app. "
            "Consent with a price on refusing is not freely given, and the service is withheld from those "
            "who refuse processing it does not need.",
        ),
        severity=Severity.MEDIUM,
        only=_PAY_CLAUSES,
        data=_data(purposes),
        purpose=_one(purposes),
    )


def _after_login(purposes: list[Purpose]) -> Hit:
    ids = _ids(purposes)
    return Hit(
        pointer=pointer("consent", "form"),
        message=Text(
            zh=f"同意（{ids.zh}）在登录后才征求，且没有任何界面提供“拒绝”“跳过”或“仅浏览”："
            "同意成了登录、使用账号的条件，属于强迫或变相强迫作出的同意。",
            en=f"Consent ({ids.en}) is asked only after logging in, and no screen offers refuse, skip or "
            "browse-only: agreeing is the condition of logging in and using the account, which makes the "
            "consent forced.",
        ),
        only=_LOGIN_CLAUSES,
        data=_data(purposes),
        purpose=_one(purposes),
    )
