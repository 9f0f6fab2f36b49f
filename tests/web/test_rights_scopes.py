"""Who may verify identity, erase and refuse: the API and the console give the same answer, the policy table's.

One table drives both doors: for every step and every key scope, the step is taken over HTTP with a
bearer key and in the console signed in with the same key, and each door's answer (refused with 403
or done) must be what `runtime/apikeys/policy.py` says.
"""

from __future__ import annotations

from itertools import count

import pytest

from consentgate.runtime.apikeys.policy import NEEDED, Operation, may
from consentgate.runtime.apikeys.schemas import Principal, Scope
from tests.web.conftest import TENANT, Site

STEPS = {  # operation -> (the step's path segment, on both doors; its body)
    Operation.VERIFY_IDENTITY: ("verify-identity", {}),
    Operation.FULFIL_REQUEST: ("fulfil", {}),
    Operation.REFUSE_REQUEST: ("refuse", {"reason": "identity-unverified"}),
}
_people = count()


def _open_request(site: Site, operation: Operation) -> str:
    """A deletion request, in the state where `operation` is the next step (fulfil: identity verified)."""
    subject = f"person-{next(_people)}"
    site.engine.consent.register_subject(subject)
    request = site.engine.rights.request(subject, "delete")
    if operation is Operation.FULFIL_REQUEST:
        site.engine.rights.verify_identity(request.request_id)
    return request.request_id


def _api_allows(site: Site, operation: Operation, scope: Scope) -> bool:
    step, body = STEPS[operation]
    request_id = _open_request(site, operation)
    answer = site.client.post(
        f"/v1/rights/requests/{request_id}/{step}", json=body or None, headers=site.auth(scope)
    )
    assert answer.status_code in (200, 403), answer.text
    return answer.status_code == 200


def _console_allows(site: Site, operation: Operation, scope: Scope) -> bool:
    step, body = STEPS[operation]
    request_id = _open_request(site, operation)
    assert site.sign_in_operator(scope).status_code == 303
    page = "/console/requests"
    answer = site.post(f"{page}/{request_id}/{step}", body, page=page)
    assert answer.status_code in (303, 403), answer.text
    return answer.status_code == 303


@pytest.mark.parametrize("operation", list(STEPS))
def test_the_api_and_the_console_allow_each_rights_step_to_the_same_keys(
    site: Site, operation: Operation
) -> None:
    for scope in Scope:
        principal = Principal(tenant=TENANT, key_id="k", name="k", scopes=frozenset({scope}))
        expected = may(principal, operation)
        assert _api_allows(site, operation, scope) is expected, (operation, scope, "api")
        assert _console_allows(site, operation, scope) is expected, (operation, scope, "console")


def test_erasing_and_verifying_identity_are_reserved_for_admin_keys() -> None:
    """The decision itself (docs/service.md): an app's backend files requests but cannot erase."""
    for operation in (Operation.VERIFY_IDENTITY, Operation.FULFIL_REQUEST, Operation.REFUSE_REQUEST):
        assert NEEDED[operation] is Scope.ADMIN
    assert NEEDED[Operation.FILE_REQUEST] is Scope.APP_BACKEND
