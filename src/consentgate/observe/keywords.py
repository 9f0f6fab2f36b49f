"""The keyword catalog as data: which words make a control a refusal, a field a phone number, a page a login wall.

The screen reader must read Chinese and English UI text the way a person does; the words it relies on
live in `data/keywords.yaml` so a reviewer can read and extend them without touching code. Latin phrases
match on word boundaries ("ok" is not in "book", "age" not in "page"); Chinese ones as substrings, since
Chinese text has no spaces between words.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

from consentgate.observe.model import ControlRole


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RolePhrases(_Data):
    role: ControlRole
    phrases: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()


class NoticePhrases(_Data):
    phrases: tuple[str, ...]
    shown: tuple[str, ...]


class ConsentBoxPhrases(_Data):
    phrases: tuple[str, ...]


class CaptchaMarkers(_Data):
    text: tuple[str, ...]
    selectors: tuple[str, ...]


class SmsCodeMarkers(_Data):
    phrases: tuple[str, ...]
    names: tuple[str, ...]


class PurposePhrases(_Data):
    phrases: tuple[str, ...]


class PermissionPurposePhrases(_Data):
    connectives: tuple[str, ...]
    after_function: tuple[str, ...]
    functions: dict[str, tuple[str, ...]]


class MenuPhrases(_Data):
    phrases: tuple[str, ...]
    never: tuple[str, ...]


class FieldCategory(_Data):
    """How a form field shows what it asks for; `category: null` marks fields that ask for no personal data."""

    category: str | None
    phrases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    types: tuple[str, ...] = ()


class Catalog(_Data):
    roles: tuple[RolePhrases, ...]
    notice: NoticePhrases
    consent_box: ConsentBoxPhrases
    login_wall: tuple[str, ...]
    signup: tuple[str, ...]
    email_link: tuple[str, ...]
    captcha: CaptchaMarkers
    sms_code: SmsCodeMarkers
    required_markers: tuple[str, ...]
    purpose: PurposePhrases
    fields: tuple[FieldCategory, ...]
    permission_purpose: PermissionPurposePhrases
    settings: tuple[str, ...]
    menu: MenuPhrases


@cache
def catalog() -> Catalog:
    """The catalog, read and validated once per process."""
    raw = resources.files("consentgate.observe").joinpath("data/keywords.yaml").read_text("utf-8")
    return Catalog.model_validate(yaml.safe_load(raw))


@cache
def _pattern(phrase: str) -> re.Pattern[str]:
    escaped = re.escape(phrase.casefold())
    if phrase.isascii() and phrase[:1].isalnum():
        return re.compile(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])")
    return re.compile(escaped)


def mentions(text: str | None, phrases: tuple[str, ...]) -> bool:
    """Whether `text` contains any of `phrases`, as a person would read it."""
    if not text:
        return False
    folded = " ".join(text.casefold().split())
    return any(_pattern(phrase).search(folded) for phrase in phrases)


def role_of(text: str) -> ControlRole | None:
    """The role a control's text announces, or None when no phrase of the catalog fits."""
    folded = " ".join(text.casefold().split()).strip(" .!。！>›→")
    for entry in catalog().roles:
        if folded in (e.casefold() for e in entry.exact) or mentions(folded, entry.phrases):
            return entry.role
    return None


_SENTENCE_END = re.compile(r"[。！？!?；;\n]+|(?<=[a-z0-9])\.(?:\s|$)", re.IGNORECASE)


def permission_purpose(text: str | None, permission: str) -> str | None:
    """The sentence of `text` that says what `permission` is for, or None when no sentence does.

    A sentence states it when it names what the permission gives (位置, camera) and what for (用于, so that);
    "to" and "for" are too common to count unless they come after the function word.
    """
    words = catalog().permission_purpose
    functions = words.functions.get(permission, ())
    for sentence in _SENTENCE_END.split(text or ""):
        folded = " ".join(sentence.casefold().split())
        found = [m.end() for p in functions if (m := _pattern(p).search(folded))]
        if not found:
            continue
        after = folded[min(found) :]
        if mentions(folded, words.connectives) or mentions(after, words.after_function):
            return " ".join(sentence.split())[:200]
    return None


def _name_tokens(name: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    tokens = {t for t in re.split(r"[^A-Za-z0-9]+", spaced.casefold()) if t}
    return tokens | {name.casefold()}


def field_category(label: str | None, name: str, input_type: str) -> tuple[bool, str | None]:
    """(matched, category) for a field: a label match beats a name match, which beats the input type.

    `matched` with a None category means the field was recognised as asking for no personal data
    (a verification code); not matched means the catalog does not know it.
    """
    entries = catalog().fields
    tokens = _name_tokens(name) if name else set()
    for entry in entries:
        if mentions(label, entry.phrases):
            return True, entry.category
    for entry in entries:
        if tokens & {n.casefold() for n in entry.names}:
            return True, entry.category
    for entry in entries:
        if input_type.casefold() in entry.types:
            return True, entry.category
    return False, None
