"""How an app obtains the consent its consent-based purposes rest on (`consent.form`).

PIPL 14 wants consent given voluntarily and explicitly, PIPL 16 forbids refusing the service to someone
who does not consent to processing it does not need, and the seed court held consent taken on the
first-login screen, with no way in without it, to be forced. Whether a form passes depends on the form,
so the manifest names it: a tick box or "agree" button for the processing itself, acceptance by
concluding a contract after a posted notice, consent-or-pay (with the price of refusing), or a consent
screen that the person reaches only by logging in.
"""

from __future__ import annotations

from enum import StrEnum


class ConsentForm(StrEnum):
    TICK_BOX = "tick-box"  # an unticked box or an "agree" button for the processing itself
    CONTRACT_ACCEPTANCE = "contract-acceptance"  # a posted notice; signing up or buying is taken as consent
    CONSENT_OR_PAY = "consent-or-pay"  # agree, or pay `consent.price` to use the app without the processing
    AFTER_LOGIN = "after-login"  # asked on a screen the person reaches only by logging in
