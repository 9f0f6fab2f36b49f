"""What a traced request carried, from the names it sent: a trace keeps names, never values
(`TraceEvent.sent`), so the browser's value shapes (observe/sent_data.py) cannot apply. A name is read as
a category only when it says so plainly (`imei`, `oaid`, `lat`, `phone`); any other name is unknown,
never guessed.
"""

from __future__ import annotations

from functools import lru_cache

# Folded names (lower case, '-' as '_'): a name is matched when it equals one, or its last dotted part does.
_NAMES: dict[str, tuple[str, ...]] = {
    "device.identifiers": (
        "imei",
        "meid",
        "imsi",
        "androidid",
        "android_id",
        "oaid",
        "idfa",
        "idfv",
        "gaid",
        "adid",
        "aaid",
        "deviceid",
        "device_id",
        "udid",
        "utdid",
        "mac",
        "mac_address",
        "macaddr",
        "serial",
        "iccid",
    ),
    "location.precise": ("lat", "lng", "lon", "latitude", "longitude", "coords", "location", "geo", "gps"),
    "contact.phone": ("phone", "mobile", "msisdn", "phone_number", "tel"),
    "device.app-list": ("applist", "app_list", "installed_apps", "pkglist", "pkg_list"),
}
_BY_NAME = {name: category for category, names in _NAMES.items() for name in names}


@lru_cache(maxsize=1 << 12)
def categories_of(sent: tuple[str, ...]) -> tuple[str, ...]:
    """The categories the names of one request name, each once, in the order first named."""
    found: dict[str, None] = {}
    for name in sent:
        folded = name.casefold().replace("-", "_")
        category = _BY_NAME.get(folded) or _BY_NAME.get(folded.rsplit(".", 1)[-1])
        if category is not None:
            found[category] = None
    return tuple(found)
