"""Logging for every entry point: one format, quiet libraries, and no Telegram bot token in any line.

A bot token (`<bot id>:<secret>`) is a full credential for the seller's bot. Libraries put it into
log lines we do not write ourselves: aiohttp's errors name the `/file/bot<TOKEN>/...` or
`/bot<TOKEN>/method` URL, and arq logs a job's exception with its traceback. A filter on the root
logger's handlers sees every record that reaches them, whatever logger wrote it, and cuts the
secret out of the message, its arguments, the exception text and the stack.
"""

from __future__ import annotations

import logging
import re
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Request lines of these libraries are noise at INFO.
_NOISY = ("httpx", "httpcore", "aiogram.event", "arq.worker")
# A bot token: the bot's numeric id, a colon, ~35 URL-safe characters; "bot" before it in API URLs.
_TOKEN = re.compile(r"(?<![A-Za-z0-9_])((?:bot)?[0-9]{5,16}):[A-Za-z0-9_-]{30,}")
REDACTED = "<redacted>"


def redact(text: str) -> str:
    """The text with every bot token's secret replaced; the bot id stays, it helps to find the bot."""
    return _TOKEN.sub(rf"\1:{REDACTED}", text)


class RedactTokens(logging.Filter):
    """Rewrites a record so that no handler can print a token from it; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format call: keep what there is, still redacted
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            # Formatters print exc_text when it is set instead of formatting exc_info again.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def configure_logging(level: str) -> None:
    """Log to stderr at `level` (unless logging is set up already) and redact tokens on every root handler."""
    logging.basicConfig(level=level.upper(), format=FORMAT, stream=sys.stderr)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactTokens) for f in handler.filters):
            handler.addFilter(RedactTokens())
