import pytest

from tuberry.domain.errors import InvalidTimezone
from tuberry.domain.timezones import validate_timezone


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Europe/Moscow", "Europe/Moscow"),
        ("europe/moscow", "Europe/Moscow"),
        ("  EUROPE/MOSCOW ", "Europe/Moscow"),
        ("America/New York", "America/New_York"),
        ("america/new_york", "America/New_York"),
        ("Moscow", "Europe/Moscow"),
        ("yekaterinburg", "Asia/Yekaterinburg"),
        ("UTC", "UTC"),
        ("Etc/GMT-3", "Etc/GMT-3"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_known_zones_are_canonicalised(name: str, canonical: str) -> None:
    assert validate_timezone(name) == canonical


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "Mars/Olympus_Mons",
        "Moscow/Europe",
        "../../etc/passwd",
        "/etc/localtime",
        "/usr/share/zoneinfo/Europe/Moscow",
        "Europe/../UTC",
        "Europe\\Moscow",
        "Europe/Moscow\x00",
        "localtime",
        "Factory",
        "posixrules",
        "MSK",
        "UTC+3",
        "+03:00",
        "a" * 100,
    ],
)
def test_unknown_or_junk_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidTimezone) as info:
        validate_timezone(name)
    assert info.value.reason == "unknown"


def test_non_string_is_refused() -> None:
    with pytest.raises(InvalidTimezone):
        validate_timezone(3)  # type: ignore[arg-type]


def test_invalid_timezone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        validate_timezone("Nowhere/Special")
