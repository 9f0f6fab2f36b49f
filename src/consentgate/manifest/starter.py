"""Writes a starter manifest for one of the 39 app types that already audits clean.

A new user's first manifest should start from what the law allows, not from an empty file: the
app type's necessary personal information on contract necessity, a notice before collection, a
login screen that asks for nothing more, and working consent, rights and complaint channels. The
comments (zh and en, from the message catalog) say what to fill in. It states every fact the rules
read, so its audit has no unconfirmed check either: each one is a claim the team must make true.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from consentgate.errors import UsageError
from consentgate.i18n import message
from consentgate.law.catalog import load_catalog
from consentgate.law.models import OTHER_APP_TYPE, AppType
from consentgate.manifest.references import hint
from consentgate.text import Text

NOTICE_ID = "privacy-policy"
PURPOSE_ID = "basic-service"
SCREEN_ID = "login"
RIGHTS = ("copy", "correct", "delete", "cancel_account", "restrict")
RESPONSE_WORKING_DAYS = 15


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _comment(text: Text, indent: str = "") -> list[str]:
    return [f"{indent}# {text.zh}", f"{indent}# {text.en}"]


def data_id(category: str) -> str:
    """`contact.phone` → `contact-phone`: readable, unique per category, a valid manifest id."""
    return category.replace(".", "-")


def necessary_categories(app_type: AppType) -> list[str]:
    """The app type's necessary categories in the order the provisions list them, each once."""
    return list(dict.fromkeys(c for item in app_type.necessary for c in item.categories))


def app_type_by_slug(slug: str) -> AppType:
    """The catalog's app type, or a usage error with a "did you mean" (`other` among the choices)."""
    catalog = load_catalog()
    if slug not in catalog.app_types:
        raise UsageError.from_key(
            "error.unknown_app_type_option", value=slug, hint=hint(slug, catalog.app_type_slugs())
        )
    return catalog.app_types[slug]


@dataclass(frozen=True)
class _Kind:
    """What a starter needs to know of its app's type: one of the 39, or `other` stated by the operator."""

    slug: str
    name: Text
    header: Text
    basic: Text
    categories: list[str]
    app_lines: tuple[str, ...] = ()


def _of_app_type(app_type: AppType) -> _Kind:
    return _Kind(
        slug=app_type.slug,
        name=app_type.name,
        header=message("starter.header", name=app_type.name, citation=app_type.citation),
        basic=app_type.basic_function,
        categories=necessary_categories(app_type),
    )


# A service outside the 39 types starts from a phone number to sign in with; the operator states the rest.
_OTHER_NECESSARY = ("contact.phone",)


def _other() -> _Kind:
    basic = message("starter.other_basic_service")
    return _Kind(
        slug=OTHER_APP_TYPE,
        name=message("starter.other_name"),
        header=message("starter.header_other"),
        basic=basic,
        categories=list(_OTHER_NECESSARY),
        app_lines=(
            *_comment(message("starter.other_app"), "  "),
            f"  basic_service: {{zh: {_q(basic.zh)}, en: {_q(basic.en)}}}",
            f"  necessary_data: [{', '.join(_OTHER_NECESSARY)}]",
        ),
    )


def _data_section(categories: list[str]) -> list[str]:
    if not categories:
        return [*_comment(message("starter.no_data")), "data: []"]
    catalog = load_catalog()
    retention = message("starter.retention")
    lines = [*_comment(message("starter.data")), "data:"]
    for category in categories:
        label = catalog.categories[category].label
        lines += [
            f"  - id: {data_id(category)}",
            f"    label: {{zh: {_q(label.zh)}, en: {_q(label.en)}}}",
            f"    category: {category}",
            "    source: user",
            f"    retention: {{zh: {_q(retention.zh)}, en: {_q(retention.en)}}}",
        ]
    return lines


def _purpose_section(basic: Text, ids: list[str]) -> list[str]:
    return [
        *_comment(message("starter.purposes", basic=Text(zh=basic.zh, en=basic.en.rstrip(".")))),
        "purposes:",
        f"  - id: {PURPOSE_ID}",
        f"    label: {{zh: {_q(basic.zh)}, en: {_q(basic.en)}}}",
        "    kind: basic-function",
        "    basis: contract-necessity",
        f"    data: [{', '.join(ids)}]",
    ]


def _onboarding_section(ids: list[str]) -> list[str]:
    if not ids:
        return [*_comment(message("starter.no_onboarding")), "onboarding: []"]
    lines = [
        *_comment(message("starter.onboarding")),
        "onboarding:",
        f"  - id: {SCREEN_ID}",
        f"    notice: {NOTICE_ID}",
        "    blocks_home: true",
        "    fields:",
    ]
    lines += [f"      - {{data: {i}, required: true, purposes: [{PURPOSE_ID}]}}" for i in ids]
    lines.append("    actions: [submit, back]")
    return lines


def render_starter(app_type: AppType | None) -> str:
    """The starter manifest text for one app type, or (None) for a service outside the 39 types."""
    kind = _other() if app_type is None else _of_app_type(app_type)
    categories = kind.categories
    ids = [data_id(c) for c in categories]
    rights_channel = _q(message("starter.rights_channel").zh)
    lines = [
        *_comment(kind.header),
        *_comment(message("starter.header_todo")),
        "manifest_version: 1",
        "",
        *_comment(message("starter.app")),
        "app:",
        f"  name: {_q(message('starter.app_name').zh)}",
        f"  type: {kind.slug}",
        *kind.app_lines,
        "  operator:",
        f"    name: {_q(message('starter.operator').zh)}",
        "    contact: privacy@example.com",
        "  platforms: [app]",
        "",
        *_comment(message("starter.notice")),
        "notices:",
        f"  - id: {NOTICE_ID}",
        '    version: "1.0"',
        "    shown: before-collection",
        "    prominent: true",
        "    lists_each_purpose: true",
        "    lists_each_data_item: true",
        "    lists_recipients: true",
        "    operator_contact: true",
        "    retention: true",
        "    rights_procedure: true",
        "    languages: [zh]",
        "    change: none",
        f"    purposes: [{PURPOSE_ID}]",
        "",
        *_data_section(categories),
        "",
        *_purpose_section(kind.basic, ids),
        "",
        *_comment(message("starter.recipients")),
        "recipients: []",
        "",
        *_onboarding_section(ids),
        "",
        *_comment(message("starter.consent")),
        "consent:",
        "  pre_ticked: false",
        "  bundled_with_terms: false",
        "  granular: true",
        "  implied: none",
        "  separate_for_sharing: true",
        "  withdrawal: {channel: in-app-settings, steps: 2, consent_steps: 2}",
        "  ask_again: {after_refusal: false}",
        "",
        *_comment(message("starter.minors")),
        "minors:",
        "  under_14: false",
        "",
        *_comment(message("starter.rights")),
        "rights:",
        *(
            f"  {right}: {{available: true, channel: {rights_channel}, working_days: {RESPONSE_WORKING_DAYS}, "
            "conditions: []}"
            for right in RIGHTS
        ),
        "",
        *_comment(message("starter.complaints")),
        "complaints:",
        f"  channel: {_q(message('starter.complaints_channel').zh)}",
        "  published: true",
        f"  working_days: {RESPONSE_WORKING_DAYS}",
    ]
    return "\n".join(lines) + "\n"


def write_starter(slug: str, output: Path, *, force: bool = False) -> Text:
    """Writes the starter for `slug` (`other` too) to `output`, refusing to overwrite unless forced; the
    type's name, for the confirmation."""
    app_type = None if slug == OTHER_APP_TYPE else app_type_by_slug(slug)
    if output.exists() and not force:
        raise UsageError.from_key("error.file_exists", path=str(output))
    output.write_text(render_starter(app_type), "utf-8")
    return _other().name if app_type is None else app_type.name
