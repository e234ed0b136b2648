"""aiogram imported with its models built on first use (tuberry/telegram/lazy_models.py) validates and
serializes exactly as aiogram imported as usual. The lazy import runs in a fresh interpreter: this process
has imported aiogram already."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

UPDATE: dict[str, Any] = {
    "update_id": 7,
    "message": {
        "message_id": 10,
        "date": 1_700_000_000,
        "message_thread_id": 3,
        "is_topic_message": True,
        "chat": {"id": -100123, "type": "supergroup", "title": "Продажи", "is_forum": True},
        "from": {"id": 5, "is_bot": False, "first_name": "Максим", "language_code": "ru"},
        "text": "Да, продаётся! /start",
        "entities": [
            {"type": "bold", "offset": 0, "length": 2},
            {"type": "bot_command", "offset": 15, "length": 6},
        ],
        "reply_to_message": {
            "message_id": 4,
            "date": 1_700_000_000,
            "chat": {"id": -100123, "type": "supergroup", "title": "Продажи", "is_forum": True},
            "photo": [{"file_id": "p", "file_unique_id": "u", "width": 90, "height": 90}],
            "forum_topic_created": {"name": "Анна", "icon_color": 7322096},
            "reply_markup": {"inline_keyboard": [[{"text": "Ок", "callback_data": "ok"}]]},
        },
    },
}

SCRIPT = """
import json, sys
from tuberry.telegram.lazy_models import import_aiogram
import_aiogram()
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
lazy = not Message.__pydantic_complete__
update = Update.model_validate(json.loads(sys.argv[1]))
"""

COMMON = """
method = SendMessage(
    chat_id=-100123, message_thread_id=3, text="Здравствуйте",
    reply_markup=InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Ок", callback_data="ok")]]
    ),
)
print(json.dumps({
    "update": update.model_dump(mode="json", exclude_none=True),
    "method": method.model_dump(exclude_none=True),
    "text": update.message.reply_to_message.forum_topic_created.name,
}, ensure_ascii=False, sort_keys=True, default=repr))
"""


def _run(script: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(UPDATE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_the_lazy_import_builds_models_on_first_use_and_they_behave_as_usual() -> None:
    lazy = _run(SCRIPT + "assert lazy, 'Message was built at import'\n" + COMMON)
    eager = _run(SCRIPT.replace("import_aiogram()", "import aiogram") + "assert not lazy\n" + COMMON)
    assert lazy == eager
    assert lazy["text"] == "Анна"
    assert (
        lazy["update"]["message"]["reply_to_message"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Ок"
    )
