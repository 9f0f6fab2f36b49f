"""What each scope lets a key do: admin everything, app-backend its own work and reads, read-only reads."""

from __future__ import annotations

import pytest

from consentgate.runtime.apikeys.errors import UnknownScope
from consentgate.runtime.apikeys.schemas import Principal, Scope, parse_scopes

ADMIN, APP, READ = Scope.ADMIN, Scope.APP_BACKEND, Scope.READ_ONLY


def caller(*scopes: Scope) -> Principal:
    return Principal(tenant="t", key_id="cgk_aaaaaaaaaaaa", name="n", scopes=frozenset(scopes))


@pytest.mark.parametrize(
    ("held", "needed", "allowed"),
    [
        (ADMIN, ADMIN, True),
        (ADMIN, APP, True),
        (ADMIN, READ, True),
        (APP, ADMIN, False),
        (APP, APP, True),
        (APP, READ, True),
        (READ, ADMIN, False),
        (READ, APP, False),
        (READ, READ, True),
    ],
)
def test_each_scope_allows_itself_and_the_scopes_below_it_only(
    held: Scope, needed: Scope, allowed: bool
) -> None:
    assert caller(held).allows(needed) is allowed


def test_a_key_with_several_scopes_allows_what_any_of_them_allows() -> None:
    both = caller(READ, APP)
    assert both.allows(APP) and both.allows(READ)
    assert not both.allows(ADMIN)


def test_a_key_with_no_scope_allows_nothing() -> None:
    assert not any(caller().allows(scope) for scope in Scope)


def test_scope_names_are_the_ones_the_cli_and_docs_use() -> None:
    assert parse_scopes(["admin", "app-backend", "read-only"]) == frozenset(Scope)


def test_an_unknown_scope_name_is_a_bilingual_error_listing_the_choices() -> None:
    with pytest.raises(UnknownScope) as raised:
        parse_scopes(["read-only", "readonly"])
    assert "readonly" in raised.value.text.en and "read-only" in raised.value.text.en
    assert "readonly" in raised.value.text.zh and "权限范围" in raised.value.text.zh
