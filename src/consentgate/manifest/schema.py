"""The manifest's JSON Schema, generated from the pydantic model so the two can never disagree.

Editors (VS Code's YAML extension, JetBrains) use it for completion and inline errors while a
manifest is being written; `consentgate validate` remains the authority (it also checks references
and the law catalog, which a schema cannot).
"""

from __future__ import annotations

from typing import Any

from consentgate.manifest.models import Manifest

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://consentgate.dev/schema/manifest-v1.json"
TITLE = "consentgate processing manifest / 个人信息处理清单"


def manifest_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a manifest file, as written (field aliases, not Python names)."""
    generated = Manifest.model_json_schema(by_alias=True, mode="validation")
    generated.pop("title", None)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": TITLE,
        "description": (
            "One app's personal-information processing, audited by `consentgate audit` against the PIPL, "
            "the Civil Code and the App rules. 以数据描述一个 App 的个人信息处理，供 consentgate 依法审查。"
        ),
        **generated,
    }
