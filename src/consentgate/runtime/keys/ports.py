"""The key provider port: where the key ring comes from. Never the database it protects."""

from __future__ import annotations

from typing import Protocol

from consentgate.runtime.keys.ring import KeyRing


class KeyProvider(Protocol):
    """Hands out the key ring. Read once when an Engine starts; a rotation takes effect on restart."""

    @property
    def source(self) -> str:
        """Where the keys come from, for messages and logs (a variable or a path, never a key)."""
        ...

    def keyring(self) -> KeyRing: ...
