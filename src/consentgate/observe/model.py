"""What one walk through an app's sign-up flow saw, as data: the one shape every part of observe shares.

The walker and the screen reader fill it, inference reads it, reports cite it as evidence. It is plain
data (pydantic, frozen) so an observation can be written to the evidence folder as JSON and judged
again later without a browser.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Phase(StrEnum):
    """When something happened, against the person's choices: the consent moment splits the walk."""

    LOADED = "loaded"  # the first page, before any interaction
    NOTICE = "notice-shown"  # a privacy notice or consent prompt is on screen, nothing chosen yet
    REFUSED = "after-refusal"  # after the person refused, skipped or chose browse-only
    AGREED = "after-agreement"  # after the person agreed (ticked, tapped agree)
    ONBOARDING = "onboarding"  # a later onboarding screen (questionnaire, profile)


class Party(StrEnum):
    FIRST = "first"  # the app's own registrable domain
    THIRD = "third"  # anyone else


class Where(StrEnum):
    URL = "url"
    BODY = "body"
    HEADER = "header"
    COOKIE = "cookie"


class SentData(_Data):
    """Personal data seen leaving the browser in one request (the value itself is never kept)."""

    category: str = Field(description="Taxonomy category, e.g. contact.phone, device.identifier")
    where: Where
    key: str = Field(description="Parameter, field or header name it was found under")


class ObservedRequest(_Data):
    seq: int = Field(ge=0, description="Order in the walk, across requests, screens and permission asks")
    phase: Phase
    screen: str | None = Field(default=None, description="Id of the screen on show when it was sent")
    method: str
    url: str = Field(description="With query values replaced by their names only (no personal data kept)")
    host: str
    site: str = Field(description="Registrable domain (eTLD+1), e.g. example.com")
    party: Party
    resource_type: str = "other"
    sent: tuple[SentData, ...] = ()
    company: str | None = Field(default=None, description="Who runs the host, from the tracker catalog")


class ObservedCookie(_Data):
    seq: int = Field(ge=0)
    phase: Phase
    name: str
    domain: str
    site: str
    party: Party
    persistent: bool


class ObservedStorage(_Data):
    seq: int = Field(ge=0)
    phase: Phase
    kind: str = Field(description="local or session")
    key: str
    origin: str


class PermissionRequest(_Data):
    seq: int = Field(ge=0)
    phase: Phase
    screen: str | None = None
    permission: str = Field(description="geolocation, notifications, camera, microphone, clipboard-read")
    purpose_shown: bool | None = Field(
        default=None,
        description="The screen stated what the permission is for while it was asked (AVIM 2.3); "
        "None: the screen could not be read then",
    )
    purpose_text: str | None = Field(default=None, description="The sentence that stated it, trimmed")


class ControlRole(StrEnum):
    """What a control does, read from its text and type with the keyword catalog."""

    AGREE = "agree"
    REFUSE = "refuse"
    SKIP = "skip"
    BROWSE = "browse"
    EXIT = "exit"
    SUBMIT = "submit"
    BACK = "back"
    NOTICE_LINK = "notice-link"  # a link to the privacy policy
    CONSENT_BOX = "consent-box"  # a tick box that gives consent
    OTHER = "other"


class ObservedControl(_Data):
    role: ControlRole
    text: str = Field(description="What the person reads on it, trimmed")
    tag: str = Field(description="button, a, input, label, ...")
    checked: bool | None = Field(default=None, description="For tick boxes: ticked when the screen showed")
    visible: bool = True
    area: float = Field(default=0.0, ge=0, description="On-screen size in CSS px², for prominence")
    contrast: float | None = Field(
        default=None, ge=0, description="Text contrast ratio against its background"
    )
    purposes_text: str | None = Field(
        default=None, description="For a consent box: what it says it agrees to"
    )


class ObservedField(_Data):
    name: str
    label: str | None = None
    input_type: str = "text"
    required: bool | None = Field(default=None, description="Marked required (attribute, aria or a * marker)")
    category: str | None = Field(default=None, description="Taxonomy category read from label, name and type")
    purpose_text: str | None = Field(default=None, description="The purpose the page states next to it")


class NoticeReadability(_Data):
    """How hard the notice on a screen is to read (AVIM 2.4), measured where it was read: the text itself is
    not kept, as it may echo what the person typed."""

    chars: int = Field(ge=0)
    mean_sentence_chars: float = Field(ge=0)
    jargon: tuple[str, ...] = Field(default=(), description="Terms of observe/data/jargon.yaml it uses")


class ObservedScreen(_Data):
    id: str = Field(description="screen-1, screen-2, ... in the order the walk met them")
    seq: int = Field(ge=0)
    phase: Phase
    url: str
    title: str = ""
    taps: int = Field(default=0, ge=0, description="Taps from the first page to this screen")
    shows_notice: bool = Field(default=False, description="A privacy notice or its summary is on screen")
    notice_chars: int | None = Field(default=None, ge=0, description="Length of the notice text, where shown")
    notice_readability: NoticeReadability | None = None
    controls: tuple[ObservedControl, ...] = ()
    fields: tuple[ObservedField, ...] = ()
    screenshot: str | None = Field(default=None, description="File name inside the evidence folder")


class SettingKind(StrEnum):
    BOX = "box"  # a tick box or a toggle (a checkbox or role=switch)
    PERMISSION = "permission"  # a system permission prompt, which the walker always denies


class SettingSet(_Data):
    """A privacy setting the refusal walk set itself: a box or toggle it left off or switched off."""

    seq: int = Field(ge=0)
    screen: str | None = Field(default=None, description="Id of the screen it was set on")
    url: str = ""
    setting: str = Field(description="What the person reads on it, e.g. 个性化推荐")
    kind: SettingKind
    state: str = Field(description="What the walker set it to: off, denied")


class SettingCheck(_Data):
    """A setting read again after the walk, on a reload of the screen it was set on or of the first page.

    The refusal walk never switches anything on, so a setting found in another state was changed by no
    act of the person (AVIM 3.5).
    """

    seq: int = Field(ge=0)
    setting: str
    set_on: str = Field(description="Id of the screen it was set on")
    url: str = Field(description="The page reloaded to read it again")
    person_set: str
    found: str = Field(description="The state it was found in: on, off")
    screenshot: str | None = None

    @property
    def changed(self) -> bool:
        return self.found != self.person_set


class PolicySearch(_Data):
    """The privacy policy looked for from the main screen through menu-like links, breadth-first (AVIM 1.3).

    `taps` is the fewest taps found; None with `complete` means not found within `limit` taps; a search
    cut short (page budget, a page that broke) is not `complete` and proves nothing.
    """

    main_url: str = Field(description="The main screen: where the acceptance walk landed")
    main_screen: str = Field(description="Id of that screen in the walk")
    limit: int = Field(ge=1)
    taps: int | None = Field(default=None, ge=0)
    via: tuple[str, ...] = Field(default=(), description="Text of each control tapped, the policy link last")
    complete: bool = False
    pages_read: int = Field(default=0, ge=0)
    screenshot: str | None = Field(default=None, description="The page that shows the policy link")


class WalkEnd(StrEnum):
    """Why the walk stopped: only `completed` means every path it knew was walked."""

    COMPLETED = "completed"
    LOGIN_WALL = "login-wall"  # needs an account the walker does not have
    CAPTCHA = "captcha"
    SMS_CODE = "sms-code"  # a verification code it could not read from the page or the flow
    EMAIL_LINK = "email-link"  # going on takes a link sent by e-mail, and the walker has no mailbox
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"  # DNS, refused connection, TLS error, redirect loop
    ERROR = "error"


class Path(StrEnum):
    """Which way a walk went: refusal is walked first, in its own fresh browser, then acceptance."""

    REFUSE = "refuse"  # 不同意 / 拒绝 / 跳过 / 以后再说 / 仅浏览 wherever offered
    ACCEPT = "accept"  # 同意 and fill in with the synthetic persona
    FLOW = "flow"  # scripted by --flow FLOW.yaml


class Walk(_Data):
    """One walk in a fresh browser context: everything it saw, in `seq` order."""

    path: Path
    end: WalkEnd
    end_detail: str | None = Field(default=None, description="What stopped it, in words, for the report")
    screens: tuple[ObservedScreen, ...] = ()
    requests: tuple[ObservedRequest, ...] = ()
    cookies: tuple[ObservedCookie, ...] = ()
    storage: tuple[ObservedStorage, ...] = ()
    permissions: tuple[PermissionRequest, ...] = ()
    refused_at: int | None = Field(default=None, description="seq of the first refusal, if this walk refused")
    agreed_at: int | None = Field(default=None, description="seq of the consent moment, if this walk agreed")
    ticked: tuple[str, ...] = Field(
        default=(),
        description="Text of each consent box the walker ticked because the page required it to go on",
    )
    settings_set: tuple[SettingSet, ...] = Field(
        default=(), description="Privacy settings the refusal walk set itself (AVIM 3.5)"
    )
    setting_checks: tuple[SettingCheck, ...] = Field(
        default=(), description="Those settings read again after the walk, by reloading their screens"
    )
    policy_search: PolicySearch | None = Field(
        default=None, description="The policy looked for from the main screen (acceptance walk only)"
    )


class Observation(_Data):
    """Every walk of one target. Nothing seen is not the same as nothing there: see `Walk.end`."""

    target: str
    device: str | None = Field(default=None, description="Playwright device descriptor name, e.g. iPhone 13")
    started_at: datetime
    finished_at: datetime
    first_party: str = Field(description="The target's registrable domain")
    walks: tuple[Walk, ...] = ()
