"""Fluent texts from `tuberry/locales/<lang>/*.ftl`: Russian first, English second."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

from tuberry.domain.render import Arg, translate_long_args

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"


def pick_language(stored: str | None, telegram_code: str | None) -> str:
    """The user's own choice wins; otherwise English for `en*`, Russian for anything else (SPEC §3)."""
    if stored in LANGUAGES:
        return stored
    if telegram_code and telegram_code.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


class Translator:
    """Formats messages of one language; a missing key shows as the key, never as a crash."""

    def __init__(self, language: str, bundle: FluentBundle) -> None:
        self.language = language
        self._bundle = bundle

    def __call__(self, key: str, **args: Any) -> str:
        if not self._bundle.has_message(key):
            log.error("missing Fluent message %r in %s", key, self.language)
            return key
        return translate_long_args(self._format, key, args)

    def _format(self, key: str, args: Mapping[str, Arg]) -> str:
        message = self._bundle.get_message(key)
        if message.value is None:
            return key
        text, errors = self._bundle.format_pattern(message.value, dict(args))
        if errors:
            log.warning("Fluent errors in %r (%s): %s", key, self.language, errors)
        return text

    def has(self, key: str) -> bool:
        return self._bundle.has_message(key)


def _bundle(language: str) -> FluentBundle:
    # No Unicode isolation marks: Telegram shows them as garbage in some clients.
    bundle = FluentBundle([language], use_isolating=False)
    for path in sorted((LOCALES_DIR / language).glob("*.ftl")):
        bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    return bundle


@cache
def translator(language: str) -> Translator:
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    return Translator(language, _bundle(language))
