"""The JSON report's own JSON Schema: tools that read reports validate against it, and a test keeps
the report and the schema together. Violations and unconfirmed checks are two lists of one shape, told
apart by `status`, so a reader can never take a check left open for a breach."""

from __future__ import annotations

from typing import Any

from consentgate.audit.report.json_report import SCHEMA_VERSION

REPORT_SCHEMA_ID = "https://consentgate.dev/schema/audit-report-v1.json"

_TEXT: dict[str, Any] = {
    "type": "object",
    "required": ["zh", "en"],
    "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
    "additionalProperties": False,
}
_SEVERITY: dict[str, Any] = {"enum": ["high", "medium", "low"]}
_EVIDENCE: dict[str, Any] = {
    "type": "object",
    "description": "What consentgate observe saw that supports the finding (empty for a written manifest)",
    "required": ["kind", "walk", "seq", "description", "screenshot"],
    "properties": {
        "kind": {"enum": ["screen", "request", "cookie", "storage", "permission", "trace"]},
        "walk": {"type": "string"},
        "seq": {"type": "integer", "minimum": 0},
        "description": _TEXT,
        "screenshot": {"type": ["string", "null"]},
    },
}


def _finding(status: str, description: str) -> dict[str, Any]:
    unknown_facts: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
    if status == "unconfirmed":
        unknown_facts = {
            **unknown_facts,
            "minItems": 1,
            "description": "The facts to state so the rule can decide",
        }
    else:
        unknown_facts = {**unknown_facts, "maxItems": 0}
    return {
        "type": "object",
        "description": description,
        "required": [
            "rule_id",
            "status",
            "severity",
            "title",
            "message",
            "citations",
            "location",
            "suppressed",
            "baselined",
            "remediation",
            "about",
            "unknown_facts",
        ],
        "properties": {
            "rule_id": {"type": "string", "pattern": "^CG-"},
            "status": {"const": status},
            "severity": {"const": "low"} if status == "unconfirmed" else _SEVERITY,
            "title": _TEXT,
            "message": _TEXT,
            "remediation": _TEXT,
            "citations": {"type": "array", "items": {"type": "string"}},
            "location": {
                "type": "object",
                "required": ["path", "line", "column", "pointer"],
                "properties": {
                    "path": {"type": "string"},
                    "line": {"type": "integer", "minimum": 1},
                    "column": {"type": "integer", "minimum": 1},
                    "pointer": {"type": "string"},
                },
            },
            "suppressed": {"type": "boolean"},
            "suppression_reason": {"type": ["string", "null"]},
            "baselined": {"type": "boolean"},
            "about": {
                "type": "object",
                "description": "The data items and the purpose the finding is about, where the rule says",
                "required": ["data", "purpose"],
                "properties": {
                    "data": {"type": "array", "items": {"type": "string"}},
                    "purpose": {"type": ["string", "null"]},
                },
            },
            "unknown_facts": unknown_facts,
            "evidence": {"type": "array", "items": _EVIDENCE},
        },
    }


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `consentgate audit --json`; fields may be added, never removed."""
    count = {"type": "integer", "minimum": 0}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": REPORT_SCHEMA_ID,
        "title": "consentgate audit report / 个人信息保护审查报告",
        "type": "object",
        "required": ["schema_version", "tool", "generated_at", "manifests", "summary"],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "tool": {
                "type": "object",
                "required": ["name", "version"],
                "properties": {"name": {"const": "consentgate"}, "version": {"type": "string"}},
            },
            "generated_at": {"type": "string", "format": "date-time"},
            "manifests": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["path", "app", "findings", "unconfirmed", "errors"],
                    "properties": {
                        "path": {"type": "string"},
                        "app": {"type": ["string", "null"]},
                        "app_type": {"type": ["string", "null"]},
                        "operator": {"type": ["string", "null"]},
                        "as_of": {
                            "type": ["string", "null"],
                            "format": "date",
                            "description": "The day of the conduct judged; null: today's law",
                        },
                        "findings": {
                            "type": "array",
                            "items": _finding("violation", "What the stated facts break"),
                        },
                        "unconfirmed": {
                            "type": "array",
                            "items": _finding(
                                "unconfirmed", "A check that could not be made: a fact it needs is not stated"
                            ),
                        },
                        "errors": {"type": "array", "items": _TEXT},
                    },
                },
            },
            "summary": {
                "type": "object",
                "required": [
                    "files",
                    "findings",
                    "active",
                    "unconfirmed",
                    "suppressed",
                    "baselined",
                    "load_errors",
                    "fail_on",
                    "failed",
                    "exit_code",
                ],
                "properties": {
                    "files": count,
                    "findings": {
                        "type": "object",
                        "required": ["high", "medium", "low"],
                        "properties": {"high": count, "medium": count, "low": count},
                        "description": "Open violations by severity (unconfirmed checks are counted apart)",
                    },
                    "active": count,
                    "unconfirmed": count,
                    "suppressed": count,
                    "baselined": count,
                    "load_errors": count,
                    "fail_on": {"enum": ["high", "medium", "low", "none"]},
                    "failed": {"type": "boolean"},
                    "exit_code": {"enum": [0, 1, 2]},
                },
            },
        },
    }
