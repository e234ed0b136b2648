"""Telegram's forum topic icon set (getForumTopicIconStickers), fetched once an hour per API server.

The set is the same for every bot, so any bot of the process may fetch it: a worker uses the dialog's bot,
the cabinet the master bot.
"""

from __future__ import annotations

import time

from aiogram import Bot

from tuberry.domain.topic_icons import Icon
from tuberry.telegram.forum import call

TTL = 3600.0
# A new topic asks for the set before it is created: a slow Telegram must not hold the buyer's first message
# for aiogram's default minute (the topic is then created without an icon and the icon job sets it).
REQUEST_TIMEOUT = 5

_cache: dict[str, tuple[float, tuple[Icon, ...]]] = {}


async def icon_set(bot: Bot) -> tuple[Icon, ...]:
    """The icons any topic may show, in Telegram's order; Telegram's failures come as forum.TopicErrors."""
    key = bot.session.api.base
    cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < TTL:
        return cached[1]
    stickers = await call(bot.get_forum_topic_icon_stickers(request_timeout=REQUEST_TIMEOUT))
    icons = tuple(
        Icon(sticker.custom_emoji_id, sticker.emoji or "") for sticker in stickers if sticker.custom_emoji_id
    )
    if icons:  # an empty answer is not cached: it would strip every topic of its icon for an hour
        _cache[key] = (time.monotonic(), icons)
    return icons
