"""The tracker catalog names hosts with a cited source; readability measures are ones a reader can recount."""

from __future__ import annotations

from consentgate.observe.readability import jargon_terms, measure
from consentgate.observe.trackers import catalog, company_of


def test_every_catalog_entry_cites_a_public_page() -> None:
    for entry in catalog():
        assert entry.source.startswith(("http://", "https://")), entry.domain
        assert entry.category in {"analytics", "advertising", "push", "social", "cdn"}


def test_company_of_matches_a_host_or_its_parent_domain_and_never_guesses() -> None:
    assert company_of("hm.baidu.com") == company_of("x.hm.baidu.com")
    assert company_of("hm.baidu.com") is not None
    assert company_of("baidu.com") is None, "a parent of a listed host is not that host"
    assert company_of("tracker.example") is None


def test_readability_measures_length_sentences_and_jargon() -> None:
    measured = measure("我们收集设备标识符。我们使用SDK！")
    assert measured.chars == len("我们收集设备标识符。我们使用SDK！")
    assert measured.mean_sentence_chars == (9 + 7) / 2
    assert set(measured.jargon) == {"设备标识符", "SDK"}
    assert "去标识化" in jargon_terms()
