"""The seed case's English-learning app, rebuilt on consentgate: a scripted scenario.

Run:  .venv/bin/python examples/demo-app/demo.py [--database var/demo.db] [--lang zh|en]

Three people sign up with different choices — only a ticked box is a consent: answers typed without
their box are not kept — and a fourth visitor refuses the notice and just browses, without an account.
The app then shows each a lesson feed, plans and sends a push campaign, runs a marketing SMS campaign,
shares data with its two affiliated apps (one tick per app), and replays the address-book case. Every
line says what each person receives and why. The SQLite database is left in place for the service.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from sqlalchemy import func, select

from consentgate.runtime.consent.models import SubjectRow
from consentgate.runtime.engine import Engine
from consentgate.runtime.onboarding.schemas import ScreenView
from consentgate.runtime.ports import FakeClock
from consentgate.runtime.push.schemas import Campaign, PushContent
from consentgate.text import Lang, Text

HERE = Path(__file__).parent
MANIFEST = HERE.parent / "seed-case" / "fixed.yaml"
LESSONS = HERE / "lessons.yaml"
BEIJING = ZoneInfo("Asia/Shanghai")
TOKEN = re.compile(r"/unsubscribe/([A-Za-z0-9_\-]+)")


@dataclass(frozen=True)
class Person:
    """A new user and what they choose at sign-up."""

    subject: str
    name: str
    phone: str
    answers: dict[str, str] = field(default_factory=dict)  # optional profile questions answered
    personalize: bool = False  # ticks 「我同意：个性化推荐」, the only way the answers are kept
    marketing: bool = False
    share_with: tuple[str, ...] = ()


PEOPLE = (
    # Types an occupation but ticks nothing: the answer is not kept and nothing is consented to.
    Person("li-lei", "李雷 / Li Lei", "13800000001", answers={"occupation": "学生"}),
    Person(
        "han-meimei",
        "韩梅梅 / Han Meimei",
        "13800000002",
        answers={"occupation": "老师", "english-level": "B1", "learning-goal": "雅思"},
        personalize=True,
        marketing=True,
        share_with=("affiliate-app-a",),  # one tick, one app: 关联软件乙 receives nothing
    ),
    Person(
        "luo",
        "罗某 / Luo",
        "13800000003",
        answers={"occupation": "程序员", "english-level": "A2"},
        personalize=True,
        marketing=True,
    ),
)


class Scenario:
    def __init__(self, engine: Engine, console: Console, lang: Lang) -> None:
        self.engine = engine
        self.out = console
        self.lang = lang

    def say(self, text: Text | str, indent: int = 2) -> None:
        line = text.in_(self.lang) if isinstance(text, Text) else text
        self.out.print(" " * indent + line, markup=False, highlight=False)

    def heading(self, title: str) -> None:
        self.out.print(f"\n[bold]== {title} ==[/bold]")

    # ------------------------------------------------------------------ sign-up

    def sign_up(self, person: Person) -> None:
        onboarding = self.engine.onboarding
        welcome = onboarding.welcome()  # the notice, before any account exists
        self.say(f"{welcome.screen_id}: the notice, before any account → agree")
        screen = onboarding.submit(person.subject, welcome.screen_id or "", {})  # the account starts here
        while not screen.is_home:
            values = self.choices(person, screen)
            asked = ", ".join(f.data_id + ("*" if f.required else "") for f in screen.fields) or "—"
            boxes = len(screen.consent_boxes)
            ticked = ", ".join(_box(b) for b, v in values.items() if v is True) or "nothing"
            self.say(f"{screen.screen_id}: asks [{asked}] and {boxes} box(es) → ticks {ticked}")
            screen_id = screen.screen_id or ""
            screen = (
                onboarding.submit(person.subject, screen_id, values)
                if values
                else onboarding.skip(person.subject, screen_id)
            )
        kept = {a.data_id for a in self.engine.profiles.attributes(person.subject)}
        dropped = sorted(set(person.answers) - kept)
        if dropped:
            self.say(
                Text(
                    zh=f"未勾选同意：回答 {dropped} 未被保存",
                    en=f"no box ticked: the answers {dropped} were not kept",
                )
            )
        self.engine.messaging.register_address(person.subject, "sms", person.phone)
        self.say(Text(zh="→ 到达首页", en="→ reached the home screen"))

    @staticmethod
    def choices(person: Person, screen: ScreenView) -> dict[str, Any]:
        """What the person types and ticks: one tick per purpose, and per affiliated app for sharing."""
        values: dict[str, Any] = {}
        for field_view in screen.fields:
            if field_view.data_id == "phone":
                values["phone"] = person.phone
            elif field_view.data_id == "account-password":
                values["account-password"] = "argon2id$demo"
            elif field_view.data_id in person.answers:
                values[field_view.data_id] = person.answers[field_view.data_id]
        for box in screen.consent_boxes:
            wanted = (
                (box.purpose == "personalized-push" and person.personalize)
                or (box.purpose == "marketing-sms" and person.marketing)
                or box.recipient in person.share_with
            )
            if wanted:
                values[box.box_id] = True
        return values

    def browse(self) -> None:
        """A visitor who refuses the notice: 仅浏览, with no account, no cookie and no record naming them."""
        before = self.accounts()
        welcome = self.engine.onboarding.welcome()
        self.say(
            f"{welcome.screen_id}: the notice → 仅浏览 / just browse (offered: {[a.value for a in welcome.actions]})"
        )
        mode = self.engine.onboarding.browse()
        page = self.engine.feed.browse(limit=3)
        self.say(page.label.in_(self.lang))
        for entry in page.items:
            self.say(f"· {getattr(entry.item.title, self.lang)} — {entry.reason.in_(self.lang)}", indent=4)
        self.say(
            Text(
                zh=f"账号数：浏览前 {before}，浏览后 {self.accounts()}（未创建账号）；“同意并继续注册”回到页面 {mode.agree_screen_id}",
                en=f"accounts before: {before}, after: {self.accounts()} (none created); "
                f"'Agree and sign up' goes back to screen {mode.agree_screen_id}",
            )
        )

    def accounts(self) -> int:
        with self.engine.database.reading() as session:
            return session.scalar(select(func.count()).select_from(SubjectRow)) or 0

    # ------------------------------------------------------------------ what each person receives

    def feed(self, person: Person) -> None:
        page = self.engine.feed.page(person.subject, limit=3)
        self.say(f"{page.label.in_(self.lang)}  ({page.settings_label.in_(self.lang)}: {page.settings_link})")
        for entry in page.items:
            title = getattr(entry.item.title, self.lang)
            self.say(f"· {title} — {entry.reason.in_(self.lang)}", indent=4)


def _box(box_id: str) -> str:
    """consent:share-affiliates:affiliate-app-a → share-affiliates→affiliate-app-a (one purpose, one app)."""
    return box_id.removeprefix("consent:").replace(":", "→")


OVERDUE_DAYS = 30  # han-meimei's copy request was filed this long ago and is still unanswered


def run(engine: Engine, console: Console, lang: Lang, clock: FakeClock) -> None:
    scenario = Scenario(engine, console, lang)
    scenario.heading(
        "1. Sign-up: notice first, only the phone number is required / 注册：先告知，仅手机号必填"
    )
    for person in PEOPLE:
        console.print(f"[bold]{person.name}[/bold]")
        scenario.sign_up(person)
    console.print("[bold]访客 / A visitor who does not agree[/bold]")
    scenario.browse()

    # A month ago han-meimei asked for a copy of her data; nobody has answered yet (the console shows it).
    waiting = engine.rights.request("han-meimei", "copy")
    clock.advance(days=OVERDUE_DAYS)

    luo = PEOPLE[2]
    engine.feed.set_mode(luo.subject, personalized=False)
    scenario.heading("2. Lesson feed / 课程信息流 (罗某 turned personalization off in settings)")
    for person in PEOPLE:
        console.print(f"[bold]{person.name}[/bold]")
        scenario.feed(person)

    scenario.heading("3. Push campaign / 推送活动")
    campaign = Campaign(
        campaign_id="weekly-lesson",
        title="weekly lesson",
        generic=PushContent(
            title=Text(zh="本周热门课程", en="This week's popular lessons"),
            body=Text(zh="看看大家都在学什么。", en="See what everyone is learning."),
        ),
        personalized=PushContent(
            title=Text(zh="为您挑选的本周课程", en="This week's lessons picked for you"),
            body=Text(
                zh="根据您的英语水平 {english-level} 推荐。", en="Picked for your level {english-level}."
            ),
        ),
    )
    run_ = engine.push.plan(campaign)
    engine.push.send(campaign.campaign_id)
    scenario.say(f"planned: {run_.personalized} personalized, {run_.generic} generic")
    for message in engine.push_transport.messages:  # type: ignore[attr-defined]
        scenario.say(f"{message.subject}: {message.title.in_(lang)} — {message.why.in_(lang)}")

    scenario.heading("4. Marketing SMS, only with consent, each with an unsubscribe link / 营销短信")
    engine.messaging.create_campaign(
        "spring-sale",
        channel="sms",
        text=Text(zh="春季课程八折。", en="Spring courses 20% off."),
    )
    report = engine.messaging.send_campaign("spring-sale")
    sender = engine.message_sender
    for sent in sender.sent:  # type: ignore[attr-defined]
        scenario.say(f"→ {sent.address}: {sent.text.splitlines()[0]}")
    scenario.say(f"denied without consent: {dict(report.denied_by_reason)}")
    luo_sms = next(s for s in sender.sent if s.address == luo.phone)  # type: ignore[attr-defined]
    token = TOKEN.search(luo_sms.text)
    if token:
        engine.messaging.unsubscribe(token.group(1))
        again = engine.gate.decide(luo.subject, "marketing-sms", "phone")
        scenario.say(f"罗某 unsubscribed → next decision: {again.reason_code} ({again.message.in_(lang)})")

    scenario.heading("5. Sharing with the affiliated apps, only with separate consent / 向关联软件共享")
    for person in PEOPLE:
        for recipient in ("affiliate-app-a", "affiliate-app-b"):
            result = engine.sharing.transfer(
                person.subject, "share-affiliates", recipient, ["phone", "orders"]
            )
            scenario.say(
                f"{person.subject} → {recipient}: {result.status.value} — {result.message.in_(lang)}"
            )

    scenario.heading("6. The address-book case / 通讯录案：a number found in someone's contacts")
    engine.messaging.upload_address_book("han-meimei", ["13912345678", luo.phone])
    friends = engine.messaging.find_friends("han-meimei")
    scenario.say(f"han-meimei's contacts who use the app: {[f.subject for f in friends]}")
    denied = engine.messaging.send_to_address(
        "13912345678",
        channel="sms",
        text=Text(zh="王某，前同事给你贴了标签，快来看看", en="Wang, a former colleague labeled you"),
        sent_by="han-meimei",
    )
    scenario.say(f"SMS to 13912345678: {denied.status.value} — {denied.message.in_(lang)} {denied.citations}")

    scenario.heading("7. What the court ordered, without a lawsuit / 法院判令的救济，无需诉讼")
    for kind in ("copy", "delete"):
        request = engine.rights.request(luo.subject, kind)
        engine.rights.verify_identity(request.request_id)
        done = engine.rights.fulfil(request.request_id)
        scenario.say(f"{kind}: {done.status.value}, due by {request.due_on} (15 working days, PIPL 50)")
        if kind == "copy":
            archive = engine.rights.export(request.request_id)
            scenario.say(f"copy of 罗某's data: {len(archive):,} bytes (JSON, CSV, zh/en summary in one zip)")
    certificate = engine.rights.certificate(done.request_id)
    erased = {table: n for table, n in certificate.erased.items() if n}
    scenario.say(f"deletion certificate {certificate.certificate_id}: {erased}")
    scenario.say(f"recipients told to delete: {[t.recipient for t in certificate.recipients_notified]}")

    engine.auditlog.flush()
    report_ = engine.auditlog.verify()
    scenario.heading("8. Audit log / 审计日志")
    scenario.say(f"hash chain verified: {report_.ok}, {report_.records_checked} records")

    scenario.heading("9. For the operator: a request past its deadline / 待运营处理：已超期的请求")
    today = clock.now().astimezone(BEIJING).date()
    late = [r.request_id for r in engine.rights.overdue(today)]
    scenario.say(
        f"han-meimei's copy request, due by {waiting.due_on}: overdue = {waiting.request_id in late}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="var/demo.db", help="SQLite file (replaced on every run)")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    parser.add_argument("--tenant", default="demo", help="The tenant the service's /demo pages use")
    args = parser.parse_args()
    database = Path(args.database)
    database.parent.mkdir(parents=True, exist_ok=True)
    for stale in database.parent.glob(database.name + "*"):
        stale.unlink()
    # A fixed daytime in Beijing, so quiet hours never defer the demo's messages; the story starts a
    # month ago, so one request is overdue today.
    today = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    clock = FakeClock(today - timedelta(days=OVERDUE_DAYS))
    console = Console(width=120)
    with Engine.from_manifest(
        MANIFEST,
        create=True,
        database_url=f"sqlite:///{database}",
        catalog=LESSONS,
        clock=clock,
        tenant=args.tenant,
    ) as engine:
        run(engine, console, args.lang, clock)
    console.print(f"\nDatabase left at {database} / 数据库保留在 {database}")


if __name__ == "__main__":
    main()
