"""How Telegram's failures map to what a delivery does: retry later, or say it in words instead."""

from __future__ import annotations

import pytest
from aiogram.exceptions import ClientDecodeError, TelegramEntityTooLarge, TelegramNetworkError
from aiogram.methods import SendPhoto

from tuberry.telegram.forum import Rejected, TopicError, Transient, classify

METHOD = SendPhoto(chat_id=-100, photo="https://example.com/a.jpg")


@pytest.mark.parametrize(
    ("error", "action"),
    [
        (TelegramNetworkError(METHOD, "HTTP Client says - Request timeout error"), Transient),
        (TelegramNetworkError(METHOD, "HTTP Client says - ServerDisconnectedError"), Transient),
        (ClientDecodeError("Failed to decode object", ValueError(), "<html>502</html>"), Transient),
        (TelegramEntityTooLarge(METHOD, "Request Entity Too Large"), Rejected),  # a subclass of the above
    ],
)
def test_network_level_errors_are_retried_and_a_too_large_file_is_not(
    error: Exception, action: type[TopicError]
) -> None:
    assert type(classify(error)) is action
