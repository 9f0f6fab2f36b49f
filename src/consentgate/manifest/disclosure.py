"""Showing personal information to other users or to the public, besides providing it to recipients.

PIPL 4 counts disclosure (公开) as processing, and PIPL 25 lets a processor make public the personal
information it processes only with the person's separate consent. A profile page, a post, a friend
list or an "IP属地" label that other people see is such a showing; who sees it, and whether it is
shown before the person chose to show it, are the facts the rules judge. Providing data to another
processor stays `Purpose.recipients` (PIPL 23).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from consentgate.manifest.strict import Id, Strict
from consentgate.manifest.unknown import Maybe, Tri


class Audience(StrEnum):
    """Who sees it. Our reading of 公开: shown to anyone, not to a circle the person is part of."""

    OTHER_USERS = "other-users"  # a circle of users: contacts, followers, a group, the other party of a deal
    PUBLIC = "public"  # anyone: every user or visitor, search engines


class Disclosure(Strict):
    """One purpose's showing of data to people other than the person and the operator."""

    audience: Maybe[Audience] = Field(default=None, description="Who sees it; unknown when not stated")
    default_visible: Tri = None  # shown to that audience until the person turns it off
    data: list[Id] = Field(
        default_factory=list, description="The data items shown; empty = all of the purpose's data"
    )
