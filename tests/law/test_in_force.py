"""Every catalog entry says when its instrument was in force, and every date is read from a reference."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from consentgate.law.catalog import Catalog, load_catalog
from consentgate.law.in_force import load_windows, window_text
from consentgate.law.models import Instrument, Window

REFERENCE = Path("/work/shared/reference")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _read(name: str) -> Mapping[str, Any]:
    text = resources.files("consentgate.law").joinpath("data", name).read_text("utf-8")
    data: Mapping[str, Any] = yaml.safe_load(text)
    return data


# The dates the issue names, each as the reference files give it.
@pytest.mark.parametrize(
    ("entry_id", "start", "end"),
    [
        ("PIPL-13", date(2021, 11, 1), None),
        ("CIVIL-1035", date(2021, 1, 1), None),
        ("CSL-41", date(2017, 6, 1), None),
        ("CPL-29", date(2014, 3, 15), None),
        ("GPCL-111", date(2017, 10, 1), date(2021, 1, 1)),
        ("TLL-36", date(2010, 7, 1), date(2021, 1, 1)),
        ("ECL-18", date(2019, 1, 1), None),
        ("AVIM-3.4", date(2019, 11, 28), None),
        ("NPI-article-4", date(2021, 5, 1), None),
        ("NPI-learning-education", date(2021, 5, 1), None),
        ("ARP-17", date(2022, 3, 1), None),
        ("GBT35273-7.5", date(2020, 10, 1), None),
        ("MIIT-2023-26.pi.1", date(2023, 2, 27), None),
    ],
)
def test_each_instrument_is_dated_as_its_reference_says(
    catalog: Catalog, entry_id: str, start: date, end: date | None
) -> None:
    assert catalog.entry(entry_id).in_force.window == Window(start=start, end=end)


def test_every_entry_names_where_its_dates_were_read(catalog: Catalog) -> None:
    for entry in catalog.entries.values():
        assert ".yaml: " in entry.in_force.source, entry.id


def test_dates_the_references_could_not_confirm_are_marked(catalog: Catalog) -> None:
    unsure = {e.instrument for e in catalog.entries.values() if not e.in_force.verified}
    # GPCL: effective date not read; CPL: 2013 amendment's date from a news report; TC260: two dates.
    assert unsure == {Instrument.GPCL, Instrument.CPL, Instrument.TC260}
    assert "NOT read" in catalog.entry("GPCL-111").in_force.source


def test_a_draft_is_never_taken_for_law(catalog: Catalog) -> None:
    draft = catalog.entry("MIIT-2021-draft")
    assert draft.in_force.draft
    assert window_text(draft.in_force).en == "draft, never in force; cited from 2021-04-26"
    assert not catalog.entry("MIIT-2023-26").in_force.draft


def test_a_lapsed_law_shows_its_last_day(catalog: Catalog) -> None:
    text = window_text(catalog.entry("TLL-36").in_force)
    assert text.zh == "施行：2010-07-01 至 2020-12-31"
    assert text.en == "in force 2010-07-01 – 2020-12-31"


def test_a_law_in_force_reads_from_its_first_day(catalog: Catalog) -> None:
    text = window_text(catalog.entry("PIPL-24").in_force)
    assert (text.zh, text.en) == ("施行：2021-11-01 起", "in force 2021-11-01 –")
    assert "日期未经核实" in window_text(catalog.entry("GPCL-111").in_force).zh


def test_in_force_at_keeps_the_clauses_of_that_day(catalog: Catalog) -> None:
    cited = ("PIPL-24", "ARP-17", "ECL-18", "GPCL-111", "CIVIL-1035")
    assert catalog.in_force_at(cited, date(2020, 6, 1)) == ("ECL-18", "GPCL-111")
    assert catalog.in_force_at(cited, date(2021, 12, 1)) == ("PIPL-24", "ECL-18", "CIVIL-1035")
    assert catalog.in_force_at(cited, date(2020, 12, 31)) == ("ECL-18", "GPCL-111")
    assert catalog.in_force_at(cited, date(2021, 1, 1)) == ("ECL-18", "CIVIL-1035")
    assert catalog.in_force_at(cited, None) == ("PIPL-24", "ARP-17", "ECL-18", "CIVIL-1035")


def test_a_date_missing_from_its_reference_field_stops_the_catalog() -> None:
    def typo(name: str) -> Mapping[str, Any]:
        raw = _read(name)
        if name != "in-force.yaml":
            return raw
        return {**raw, "PIPL": {**raw["PIPL"], "start": date(2021, 1, 11)}}

    with pytest.raises(ValueError, match=r"PIPL gives 2021-01-11, but pipl-articles\.yaml: meta\.effective"):
        load_windows(typo)


def test_an_end_needs_the_field_it_was_read_from() -> None:
    def no_field(name: str) -> Mapping[str, Any]:
        raw = _read(name)
        if name != "in-force.yaml":
            return raw
        return {**raw, "CSL": {**raw["CSL"], "end": date(2021, 11, 1)}}

    with pytest.raises(ValueError, match="CSL needs both `end` and `end_field`"):
        load_windows(no_field)


def test_a_window_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends"):
        Window(start=date(2021, 1, 1), end=date(2020, 1, 1))


def test_today_is_whatever_has_not_ended() -> None:
    assert Window(start=date(2017, 6, 1)).covers(None)
    assert not Window(start=date(2017, 10, 1), end=date(2021, 1, 1)).covers(None)


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="the shared reference files are not on this machine")
def test_the_pre_pipl_laws_are_the_reference_file_unchanged() -> None:
    shipped = resources.files("consentgate.law").joinpath("data", "pre-pipl-laws.yaml").read_bytes()
    assert shipped == (REFERENCE / "pre-pipl-laws.yaml").read_bytes()
