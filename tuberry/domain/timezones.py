"""Validation of IANA time zone names typed by sellers."""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from tuberry.domain.errors import InvalidTimezone

# Keys that zoneinfo may list but that are not zones a seller means: "localtime" is whatever
# the host is set to, "Factory" is a placeholder zone, "posixrules" a tzcode artefact.
_NOT_ZONES = frozenset({"localtime", "factory", "posixrules"})
# Characters of real IANA keys ("America/Port-au-Prince", "Etc/GMT+3"). Anything else (dots,
# backslashes, NUL, leading "/") is refused before zoneinfo ever touches the file system.
_KEY_RE = re.compile(r"^[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*$", re.ASCII)
_MAX_LEN = 64


@lru_cache(maxsize=1)
def _catalogue() -> tuple[dict[str, str], dict[str, str]]:
    """Lower-cased key → key, and lower-cased city → key for cities found in one zone only."""
    by_key: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    for key in available_timezones():
        lowered = key.lower()
        if lowered in _NOT_ZONES or not _KEY_RE.match(key):
            continue
        by_key[lowered] = key
        if "/" in key and not lowered.startswith("etc/"):
            cities.setdefault(lowered.rsplit("/", 1)[1], []).append(key)
    unique = {city: keys[0] for city, keys in cities.items() if len(keys) == 1}
    return by_key, unique


def validate_timezone(name: str) -> str:
    """Return the canonical spelling of an IANA zone name or raise ``InvalidTimezone``.

    Forgiving about case and spaces ("europe/moscow", "America/New York") and about a bare
    city that names exactly one zone ("Moscow" → "Europe/Moscow"). Links are kept as typed
    ("Europe/Kiev" stays, it is still a valid key).
    """
    if not isinstance(name, str):
        raise InvalidTimezone("unknown", f"not a string: {name!r}")
    cleaned = re.sub(r"\s+", "_", name.strip())
    if not cleaned or len(cleaned) > _MAX_LEN or not _KEY_RE.match(cleaned):
        raise InvalidTimezone("unknown", f"not a time zone name: {name!r}")
    by_key, by_city = _catalogue()
    lowered = cleaned.lower()
    key = by_key.get(lowered) or (by_city.get(lowered) if "/" not in lowered else None)
    if key is None:
        raise InvalidTimezone("unknown", f"unknown time zone: {name!r}")
    try:
        ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # listed but unreadable: treat as unknown
        raise InvalidTimezone("unknown", f"unusable time zone: {name!r}") from exc
    return key


def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` of an already validated name (zoneinfo caches instances)."""
    return ZoneInfo(name)
