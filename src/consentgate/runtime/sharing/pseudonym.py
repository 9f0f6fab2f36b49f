"""Subject references for recipients: a keyed pseudonym per (tenant, recipient, subject).

A recipient never sees the app's own subject id. It gets HMAC-SHA256 over the tenant, the recipient
id and the subject id, keyed with the tenant's pseudonym key (derived from the key ring, which lives
outside the database: docs/keys.md). Why each part:

- the subject id may itself be personal information (a phone number, an account name) and would
  let a recipient join the data with anything else keyed on it (PIPL 51: de-identification as a
  security measure; GB/T 35273 3.15);
- the recipient id in the message gives every recipient a different reference for the same
  person, so two recipients cannot link their data sets on it;
- the key makes the reference irreversible for anyone without it (a plain hash of a phone
  number is reversed by hashing every phone number, and so is a keyed one whose key sits in the
  same database dump), while the app, which holds the key, can recompute it — to find who a recipient asks about, and to send the same reference in a
  withdrawal or deletion notice so the recipient knows whose data to stop using.

This is a pseudonym, not anonymization (PIPL 73): the data that leaves is still personal
information, so everything else in the sharing service still applies.
"""

from __future__ import annotations

import hashlib
import hmac


def subject_ref(secret: bytes, *, tenant: str, recipient: str, subject: str) -> str:
    """The reference `recipient` gets for `subject` (64 hex digits); the same inputs give the same reference."""
    # Length prefixes keep the parts apart: ("ab", "c") and ("a", "bc") never share a message.
    message = "".join(f"{len(part)}:{part}" for part in (tenant, recipient, subject)).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
