"""Key files: read only when no one but their owner can read them, written atomically with mode 0600."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from consentgate.runtime.keys.errors import KeyFileExists, KeyFileUnreadable, KeyFileUnsafe, KeyFileUnwritable
from consentgate.runtime.keys.ring import KeyRing, parse_ring

MODE = 0o600


def read_key_file(path: Path) -> KeyRing:
    """The ring in `path`; refuses a file that its group or others may read or write."""
    try:
        with path.open("r", encoding="utf-8") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise KeyFileUnsafe.from_key(
                    "keys.file_unsafe", path=str(path), mode=f"{stat.S_IMODE(mode):o}"
                )
            text = handle.read()
    except FileNotFoundError:
        raise KeyFileUnreadable.from_key("keys.file_missing", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise KeyFileUnreadable.from_key(
            "keys.file_unreadable", path=str(path), problem=type(error).__name__
        ) from None
    return parse_ring(text, source=str(path))


def write_key_file(path: Path, ring: KeyRing, *, replace: bool) -> None:
    """Writes `ring` to `path` (mode 0600) in one step: a reader sees the old file or the new, never half.

    Without `replace` an existing file is never touched (`KeyFileExists`), and of two processes
    creating the same file at once exactly one wins: the file is linked into place, not renamed.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        # A folder made here is the owner's alone, like the file (e.g. `--out /etc/consentgate/keys`).
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, MODE)
    except OSError as error:
        raise KeyFileUnwritable.from_key(
            "keys.file_unwritable", path=str(path), problem=error.strerror or type(error).__name__
        ) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(ring.text())
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            temporary.replace(path)
        else:
            try:
                os.link(temporary, path)
            except FileExistsError:
                raise KeyFileExists.from_key("keys.file_exists", path=str(path)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
