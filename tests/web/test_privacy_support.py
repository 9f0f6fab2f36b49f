"""Shared steps of the privacy-center tests: a person signs up through the library, as the app would.

No tests here; the other `test_privacy*` modules import these helpers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from consentgate.runtime.engine import Engine
from tests.web.conftest import Site

PHONE = "13800000042"
PASSWORD = "argon2id$never-shown"
PAGE = "/me/privacy"


def sign_up(
    engine: Engine,
    subject: str,
    answers: Mapping[str, str] | None = None,
    *,
    marketing: bool = False,
    share_with: Sequence[str] = (),
) -> None:
    """Runs onboarding to the home screen: phone and password, the optional answers given with the box that
    keeps them ticked, and the other boxes ticked as asked."""
    answers = answers or {}
    screen = engine.onboarding.next_screen(subject)
    while not screen.is_home:
        values: dict[str, Any] = {}
        for field in screen.fields:
            if field.data_id == "phone":
                values["phone"] = PHONE
            elif field.data_id == "account-password":
                values["account-password"] = PASSWORD
            elif field.data_id in answers:
                values[field.data_id] = answers[field.data_id]
        for box in screen.consent_boxes:
            wanted = (
                ("marketing-sms" in box.purposes and marketing)
                or any(r in share_with for r in box.recipients)
                # the box that keeps the answers given: only a tick consents
                or any(box.box_id in f.kept_only_with for f in screen.fields if f.data_id in answers)
            )
            if wanted:
                values[box.box_id] = True
        screen_id = screen.screen_id or ""
        if values:
            screen = engine.onboarding.submit(subject, screen_id, values)
        else:
            screen = engine.onboarding.skip(subject, screen_id)


def signed_up(site: Site, subject: str, answers: Mapping[str, str] | None = None, **choices: Any) -> Engine:
    """`subject` registered, signed up and signed in to the privacy pages."""
    site.sign_in(subject).raise_for_status()
    sign_up(site.engine, subject, answers, **choices)
    return site.engine


def switch(site: Site, purpose: str, on: bool, recipient: str | None = None) -> int:
    """Posts one purpose switch as its form does; returns the status."""
    data = {"purpose": purpose, "on": "1" if on else "0", "section": "purposes"}
    if recipient is not None:
        data["recipient"] = recipient
    return site.post(f"{PAGE}/purposes", data, page=PAGE).status_code
