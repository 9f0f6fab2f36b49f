"""Audit payloads name people by their ref, never by their id: the chain must outlive an erasure.

A hash chain cannot forget: rewriting a record breaks every link after it. So the subject id never
enters it. Each payload is rewritten before it is hashed: a person under `subject` or `owner` (or a
list under `subjects`) becomes their random ref from the `subjects` table, under `subject_ref`,
`owner_ref` or `subject_refs`. When the person is erased their `subjects` row goes, and with it the
only link from a ref back to anyone. Done here, once, so that no service can forget to do it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

# Payload key naming one person -> the key their ref is written under.
_ONE = {"subject": "subject_ref", "owner": "owner_ref"}
# Payload key holding a list of people -> the key the list of refs is written under.
_MANY = {"subjects": "subject_refs"}

# Looks up the refs of registered people among the ids given; the unregistered are simply absent.
RefLookup = Callable[[Iterable[str]], Mapping[str, str]]


def people_in(payload: Any) -> set[str]:
    """Every subject id the payload names, at any depth."""
    found: set[str] = set()
    _collect(payload, found)
    return found


def _collect(value: Any, found: set[str]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in _ONE and isinstance(item, str):
                found.add(item)
            elif key in _MANY and isinstance(item, list | tuple):
                found.update(person for person in item if isinstance(person, str))
            else:
                _collect(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, found)


def pseudonymize(payload: Any, refs: Mapping[str, str]) -> Any:
    """A copy of `payload` with every person replaced by their ref (None for someone unregistered or
    already erased: the record keeps what happened, and names nobody)."""
    if isinstance(payload, Mapping):
        out: dict[str, Any] = {}
        for key, item in payload.items():
            if key in _ONE and isinstance(item, str):
                out[_ONE[key]] = refs.get(item)
            elif key in _MANY and isinstance(item, list | tuple):
                out[_MANY[key]] = [refs.get(person) if isinstance(person, str) else person for person in item]
            else:
                out[key] = pseudonymize(item, refs)
        return out
    if isinstance(payload, list | tuple):
        return [pseudonymize(item, refs) for item in payload]
    return payload
