"""How hard a notice is to read, measured in the open (AVIM 2.4: 晦涩难懂、冗长繁琐、大量专业术语).

Three measures, each one a reader can recount: the length in characters, the mean sentence length
(sentences end at 。！？；.!?;), and the terms of the jargon list (`data/jargon.yaml`) the text uses.
The rule states its thresholds beside the measures, so a finding is never a score nobody can check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

_SENTENCE_END = re.compile(r"[。！？；.!?;]+")


@dataclass(frozen=True)
class Measures:
    chars: int
    mean_sentence_chars: float
    jargon: tuple[str, ...]

    def as_manifest(self) -> dict[str, Any]:
        """The `notices[].readability` entry of a manifest."""
        return {
            "chars": self.chars,
            "mean_sentence_chars": round(self.mean_sentence_chars, 1),
            "jargon": list(self.jargon),
        }


@cache
def jargon_terms() -> tuple[str, ...]:
    """Every term of the jargon list, Chinese then English."""
    raw = yaml.safe_load(files("consentgate.observe").joinpath("data/jargon.yaml").read_text("utf-8"))
    return tuple(dict.fromkeys([*raw.get("zh", []), *raw.get("en", [])]))


def measure(text: str) -> Measures:
    """The three measures of `text`; an empty text measures zero everywhere."""
    compact = re.sub(r"\s+", " ", text).strip()
    sentences = [s for s in _SENTENCE_END.split(compact) if s.strip()]
    mean = sum(len(s.strip()) for s in sentences) / len(sentences) if sentences else 0.0
    lowered = compact.lower()
    found = tuple(t for t in jargon_terms() if t.lower() in lowered)
    return Measures(chars=len(compact), mean_sentence_chars=mean, jargon=found)


def notice_measures(chars: int | None, text: str | None = None) -> dict[str, Any]:
    """What an observation can say of a notice: all three measures from its text, else its length only."""
    if text is not None:
        return measure(text).as_manifest()
    return {"chars": chars} if chars is not None else {}
