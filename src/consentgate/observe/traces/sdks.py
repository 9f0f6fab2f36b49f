"""The SDK catalog (`observe/data/sdks.yaml`): which SDK a Java package, a trace's actor name or a host belongs to.

Lookups are precomputed once: a dict per prefix, alias and domain, so naming the SDK of a stack frame costs a few
dict probes (longest package prefix first) rather than a scan of every entry. Hosts go through the tracker catalog
(`observe/trackers.py`), the one domain → company catalog; the SDK catalog only maps a tracker's domain back to
its SDK, so the two can never disagree on who runs a host.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from consentgate.text import Text


@dataclass(frozen=True, slots=True)
class Sdk:
    """One catalog entry: the vendor's own page (`source`) says who runs it and what it collects."""

    id: str
    name: Text
    company: str
    kind: str
    prefixes: tuple[str, ...]
    domains: tuple[str, ...]
    aliases: tuple[str, ...]
    collects: tuple[str, ...]
    source: str
    via: str | None = None
    note: str | None = None


def _alias_key(name: str) -> str:
    # camille writes "OPPO 推送" and "腾讯Bugly"; a trace may write either spacing or case.
    return "".join(name.split()).casefold()


def _package_key(name: str) -> str:
    # Inner classes (`FacebookSdk$1`) belong to their outer class's package path.
    return name.replace("$", ".")


@dataclass(frozen=True)
class SdkCatalog:
    """Every SDK, with the three indexes classification needs."""

    sdks: tuple[Sdk, ...]
    kinds: frozenset[str]
    by_prefix: dict[str, Sdk] = field(default_factory=dict)
    by_alias: dict[str, Sdk] = field(default_factory=dict)
    by_domain: dict[str, Sdk] = field(default_factory=dict)

    def of_package(self, name: str) -> Sdk | None:
        """The SDK whose longest prefix is a whole-segment prefix of `name` (a package, class or frame)."""
        key = _package_key(name)
        while key:
            found = self.by_prefix.get(key)
            if found is not None:
                return found
            cut = key.rfind(".")
            if cut <= 0:
                return None
            key = key[:cut]
        return None

    def of_alias(self, name: str) -> Sdk | None:
        """The SDK a trace's actor column names (its id, either of its names, or an alias)."""
        return self.by_alias.get(_alias_key(name))

    def of_domain(self, domain: str) -> Sdk | None:
        """The SDK whose hosts include `domain` exactly (a tracker catalog domain)."""
        return self.by_domain.get(domain.lower())


def _strings(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(v) for v in raw.get(key) or ())


def _entry(raw: dict[str, Any]) -> Sdk:
    return Sdk(
        id=str(raw["id"]),
        name=Text(zh=str(raw["name"]["zh"]), en=str(raw["name"]["en"])),
        company=str(raw["company"]),
        kind=str(raw["kind"]),
        prefixes=_strings(raw, "prefixes"),
        domains=tuple(d.lower() for d in _strings(raw, "domains")),
        aliases=_strings(raw, "aliases"),
        collects=_strings(raw, "collects"),
        source=str(raw["source"]),
        via=raw.get("via"),
        note=raw.get("note"),
    )


def _index(index: dict[str, Sdk], keys: Iterable[str], sdk: Sdk, what: str) -> None:
    for key in keys:
        if key in index:
            raise ValueError(f"{what} {key} belongs to both {index[key].id} and {sdk.id}")
        index[key] = sdk


def build_catalog(raw: dict[str, Any]) -> SdkCatalog:
    """The catalog of a parsed sdks.yaml; ValueError when one prefix, domain or alias would name two SDKs."""
    sdks = tuple(_entry(e) for e in raw["sdks"])
    by_prefix: dict[str, Sdk] = {}
    by_alias: dict[str, Sdk] = {}
    by_domain: dict[str, Sdk] = {}
    for sdk in sdks:
        _index(by_prefix, (_package_key(p) for p in sdk.prefixes), sdk, "prefix")
        _index(by_domain, sdk.domains, sdk, "domain")
        _index(
            by_alias, {_alias_key(a) for a in (sdk.id, sdk.name.zh, sdk.name.en, *sdk.aliases)}, sdk, "alias"
        )
    return SdkCatalog(
        sdks=sdks,
        kinds=frozenset(str(k) for k in raw["kinds"]),
        by_prefix=by_prefix,
        by_alias=by_alias,
        by_domain=by_domain,
    )


@cache
def sdk_catalog() -> SdkCatalog:
    """The packaged catalog, read once."""
    text = files("consentgate.observe").joinpath("data/sdks.yaml").read_text("utf-8")
    return build_catalog(yaml.safe_load(text))
