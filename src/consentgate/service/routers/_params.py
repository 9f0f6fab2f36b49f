"""Path parameters of the routers: their lengths, and a subject that must be one the tenant registered.

A subject named in a request must be one the caller's tenant registered (`POST /v1/subjects`).

Several runtime services register a subject they have not seen (onboarding, the feed switch) or
answer an empty list for one; over HTTP an unknown subject is a 404 instead, so a key of another
tenant, or a typo, never creates a person nor looks like one who has nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import UnknownSubject
from consentgate.service.input_contract import ID_MAX, SUBJECT_MAX, Clean

IdPath = Annotated[str, Path(min_length=1, max_length=ID_MAX), Clean]  # manifest, campaign and record ids
SubjectPath = Annotated[
    str, Path(min_length=1, max_length=SUBJECT_MAX, description="The app's own account id"), Clean
]


def known(engine: Engine, subject: str) -> str:
    if not engine.consent.known_subject(subject):
        raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)
    return subject
