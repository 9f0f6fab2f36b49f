"""First or third party: by registrable domain, from tldextract's bundled public-suffix list only.

An observation must never reach the network on its own account, so the list is the snapshot shipped
with tldextract (no fetch, no cache directory). An IP address or a single-label host such as
`localhost` has no registrable domain; it is its own site.
"""

from __future__ import annotations

import ipaddress
from functools import cache

import tldextract

from consentgate.observe.model import Party


@cache
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def site_of(host: str) -> str:
    """The registrable domain (eTLD+1) of `host`; an IP address, `localhost` or a bare suffix is its own site."""
    bare = host.strip().rstrip(".").casefold()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        pass
    else:
        return bare
    parts = _extractor()(bare)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    return bare


def party(host: str, first_party: str) -> Party:
    """FIRST when `host` belongs to the site `first_party` (itself a site, as `site_of` gives), else THIRD."""
    return Party.FIRST if site_of(host) == site_of(first_party) else Party.THIRD
