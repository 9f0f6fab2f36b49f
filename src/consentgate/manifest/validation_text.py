"""Pydantic's validation messages are English only; this gives each common kind a Chinese twin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consentgate.text import Text

_ZH = {
    "missing": "缺少必填字段",
    "enum": "取值无效，应为以下之一：{expected}",
    "literal_error": "取值无效，应为以下之一：{expected}",
    "string_type": "应为字符串",
    "bool_type": "应为布尔值（true 或 false）",
    "bool_parsing": "应为布尔值（true 或 false）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "greater_than_equal": "应大于或等于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应小于或等于 {le}",
    "string_too_short": "至少需要 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求（{pattern}）",
    "extra_forbidden": "不允许的字段",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期（如 2020-06-01）",
}


def describe(problem: Mapping[str, Any]) -> Text:
    """The problem of one pydantic error in both languages (English is pydantic's own message)."""
    template = _ZH.get(str(problem.get("type")), "取值无效：{msg}")
    context = {**(problem.get("ctx") or {}), "msg": problem.get("msg", "")}
    try:
        zh = template.format(**context)
    except (KeyError, IndexError):
        zh = f"取值无效：{problem.get('msg', '')}"
    return Text(zh=zh, en=str(problem.get("msg", "")))
