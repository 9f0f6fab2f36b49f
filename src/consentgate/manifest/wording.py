"""Words people read, in zh and en: labels of purposes, data and recipients, and retention statements.

The runtime writes the notice from these (PIPL 17: 清晰易懂的语言), so they are part of the manifest's
vocabulary rather than free comments.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from consentgate.manifest.strict import Strict


class Label(Strict):
    """A name or statement in Chinese and English; either may be missing (the audit says where)."""

    zh: str | None = None
    en: str | None = None


def _plain_text_is_chinese(value: Any) -> Any:
    """A bare string is the Chinese text: manifests written before retention took two languages stay valid."""
    return {"zh": value} if isinstance(value, str) else value


_WORDING_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "description": "The Chinese text"},
        {
            "type": "object",
            "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
            "additionalProperties": False,
        },
    ]
}

# A statement people read: `{zh: ..., en: ...}`, or a plain string taken as the Chinese text.
Wording = Annotated[Label, BeforeValidator(_plain_text_is_chinese), WithJsonSchema(_WORDING_SCHEMA)]
