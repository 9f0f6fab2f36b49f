"""Sign-in links: how an app hands one of its signed-in users to the privacy pages without a password.

The app's backend (holding an app-backend key) asks for a link naming its account id; the link carries
a token signed with the service's session secret that expires after `LINK_TTL` seconds. Opening it
starts a web session for that person and lands on a clean URL (the token never stays in the address
bar, and `Referrer-Policy: no-referrer` keeps it out of other sites' logs). Within its lifetime a link
works more than once: treat it like a password, send it only to the signed-in user's own device.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

LINK_TTL = 300
_SALT = "consentgate.web.sign-in"


@dataclass(frozen=True)
class LinkHolder:
    tenant: str
    subject: str
    next: str


class SignInLinks:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)

    def token(self, tenant: str, subject: str, next_path: str) -> str:
        return self._serializer.dumps({"t": tenant, "s": subject, "n": next_path})

    def holder(self, token: str) -> LinkHolder | None:
        """Who the token names, or None when it is forged, altered or expired (the same answer for all)."""
        try:
            held = self._serializer.loads(token, max_age=LINK_TTL)
        except BadSignature:  # SignatureExpired is a BadSignature too
            return None
        if not isinstance(held, dict):
            return None
        return LinkHolder(tenant=str(held["t"]), subject=str(held["s"]), next=str(held["n"]))
