"""Response shapes shared by several routers (each router keeps its own request bodies)."""

from __future__ import annotations

from pydantic import BaseModel

from consentgate.text import Text


class Bilingual(BaseModel):
    zh: str
    en: str

    @classmethod
    def of(cls, text: Text) -> Bilingual:
        return cls(zh=text.zh, en=text.en)
