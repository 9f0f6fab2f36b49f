"""A posted onboarding form, read as the runtime's answers; and what an answer sets up afterwards.

Only the screen's own questions are read (anything else in the form is ignored), an empty field is no
answer ("don't provide"), and a box counts only when ticked. A secret (the account password) reaches
the profile only as a salted scrypt hash: the privacy pages show what is held, and a password must
never be among it in clear. A phone number or e-mail is checked before anything is recorded, and once
the screen is accepted it becomes the person's own address on the channel the manifest sends on.
"""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

from starlette.datastructures import FormData

from consentgate.i18n import message
from consentgate.manifest.models import Manifest
from consentgate.manifest.names import data_name
from consentgate.runtime.engine import Engine
from consentgate.runtime.messaging.addresses import normalise_address
from consentgate.runtime.messaging.errors import InvalidAddress
from consentgate.runtime.onboarding.schemas import ScreenView
from consentgate.service.web.onboarding_view import SECRET_CATEGORIES, category_of
from consentgate.text import Text

TICKED = "yes"
# Category -> the messaging channel an address of that kind is for.
ADDRESS_CHANNELS = {"contact.phone": "sms", "contact.email": "email"}
# scrypt at OWASP's recommended cost: 16 MiB and well under a second per sign-up.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def answers(
    form: FormData, view: ScreenView, manifest: Manifest, *, required_only: bool = False
) -> dict[str, Any]:
    """The screen's answers: typed fields (trimmed, a secret as typed) and ticked boxes as True.

    `required_only` reads just the necessary fields: what Skip keeps when a screen mixes both kinds.
    """
    values: dict[str, Any] = {}
    for field in view.fields:
        if required_only and not field.required:
            continue
        raw = form.get(field.data_id)
        if not isinstance(raw, str) or not raw.strip():
            continue
        secret = category_of(manifest, field.data_id) in SECRET_CATEGORIES
        values[field.data_id] = raw if secret else raw.strip()
    if not required_only:
        for box in view.consent_boxes:
            if form.get(box.box_id) == TICKED:
                values[box.box_id] = True
    return values


def typed(values: dict[str, Any], manifest: Manifest) -> dict[str, str]:
    """What to show again in the fields after an error: the text typed, never a secret."""
    return {
        key: value
        for key, value in values.items()
        if isinstance(value, str) and category_of(manifest, key) not in SECRET_CATEGORIES
    }


def hash_secret(secret: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    encoded = (base64.b64encode(part).decode() for part in (salt, digest))
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$" + "$".join(encoded)


def stored(values: dict[str, Any], manifest: Manifest) -> dict[str, Any]:
    """The answers as the profile keeps them: secrets replaced by their hash."""
    return {
        key: hash_secret(value)
        if isinstance(value, str) and category_of(manifest, key) in SECRET_CATEGORIES
        else value
        for key, value in values.items()
    }


def address_problems(values: dict[str, Any], manifest: Manifest) -> dict[str, Text]:
    """Per field, why a phone number or e-mail given here cannot be one (before anything is recorded)."""
    problems: dict[str, Text] = {}
    for key, value in values.items():
        channel = ADDRESS_CHANNELS.get(category_of(manifest, key))
        if channel is None or not isinstance(value, str):
            continue
        try:
            normalise_address(channel, value)
        except InvalidAddress:
            problems[key] = message("web.onboarding_invalid_address", field=data_name(manifest, key))
    return problems


def register_addresses(engine: Engine, subject: str, values: dict[str, Any]) -> None:
    """A phone number (e-mail) given at sign-up is where the app's SMS (e-mails) reach the person.

    Registered only when the manifest sends on that channel at all; the address is kept as a keyed
    hash, and whether a message may be sent is still the gate's decision, purpose by purpose.
    """
    sent_on = {p.channel.value for p in engine.manifest.purposes if p.channel is not None}
    for key, value in values.items():
        channel = ADDRESS_CHANNELS.get(category_of(engine.manifest, key))
        if channel is not None and channel in sent_on and isinstance(value, str):
            engine.messaging.register_address(subject, channel, value)
