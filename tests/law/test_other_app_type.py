"""`other` is an app type without an NPI entry: the catalog accepts it and keeps the 39 types apart."""

from __future__ import annotations

from consentgate.law.catalog import load_catalog
from consentgate.law.models import OTHER_APP_TYPE


def test_other_is_accepted_without_an_npi_entry() -> None:
    catalog = load_catalog()
    assert catalog.knows_app_type(OTHER_APP_TYPE)
    assert catalog.app_type(OTHER_APP_TYPE) is None
    assert OTHER_APP_TYPE not in catalog.app_types  # the 39 types stay the 39 the provisions list
    assert not catalog.resolves(f"NPI-{OTHER_APP_TYPE}")


def test_the_39_types_keep_their_entries_and_a_typo_is_no_type() -> None:
    catalog = load_catalog()
    learning = catalog.app_type("learning-education")
    assert learning is not None and learning.citation == "NPI-learning-education"
    assert not catalog.knows_app_type("learning")
    assert catalog.app_type_slugs()[-1] == OTHER_APP_TYPE
    assert len(catalog.app_type_slugs()) == 40
