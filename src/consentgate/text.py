"""Bilingual text: every user-facing string in consentgate carries Chinese and English."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


class Text(BaseModel):
    """A string in both languages; the Chinese text governs where the two differ."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    zh: str
    en: str

    def in_(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def format(self, **values: object) -> Text:
        return Text(zh=self.zh.format(**values), en=self.en.format(**values))

    def bilingual(self) -> str:
        """Both languages on one line, for places where the reader's language is unknown."""
        return f"{self.zh} / {self.en}"
