"""No bot token reaches a log line, whatever library writes it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from tuberry.logs import configure_logging

TOKEN = "7100000003:AA2WAqGzYtEL6GsWNq6_Z5tU5REgBN69E3q"
SECRET = TOKEN.split(":")[1]
URL = f"http://127.0.0.1:8081/file/bot{TOKEN}/photos/file_6.jpg"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """A handler on the root logger, as the entry points leave it after configure_logging."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    levels = {
        name: logging.getLogger(name).level
        for name in ("", "httpx", "httpcore", "aiogram.event", "arq.worker")
    }
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    configure_logging("DEBUG")
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def fail() -> None:
    raise OSError(f"404, message='Not Found', url='{URL}'")


def test_a_token_in_message_args_and_exception_is_redacted(output: io.StringIO) -> None:
    logging.getLogger("aiogram.dispatcher").warning(f"polling bot {TOKEN} failed")
    logging.getLogger("aiohttp.client").error("GET %s -> %d", URL, 404)
    try:
        fail()
    except OSError:
        logging.getLogger("arq.worker").exception("job %s failed", "send:1")
    logging.getLogger("tuberry.jobs").info("token %r", {"token": TOKEN}, stack_info=True)

    text = output.getvalue()
    assert SECRET not in text
    assert text.count("7100000003:<redacted>") == 4  # message, args, exception text, dict repr
    assert "job send:1 failed" in text and "Traceback" in text and "OSError" in text


def test_text_without_a_token_is_left_alone(output: io.StringIO) -> None:
    logging.getLogger("tuberry.jobs").warning("at 12:30:45 chat %s: %s", "u2i-abc:def", "12345:short")
    assert output.getvalue() == "tuberry.jobs WARNING at 12:30:45 chat u2i-abc:def: 12345:short\n"
