"""Posting one stored message into its forum topic: text, photo or voice, and what stands in when media fails.

Photos go by URL first (Telegram fetches them), then as uploaded bytes; a voice note is fetched from Avito and
remuxed to OGG/Opus. Media that keeps failing gives way to a text line, so one picture never blocks a topic.
"""

from __future__ import annotations

import asyncio
import html
import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.types import BufferedInputFile

from tuberry.avito import AvitoError, AvitoNotFound
from tuberry.bot.common.avito_access import account_session
from tuberry.bot.common.i18n import Translator
from tuberry.bot.common.media import MediaError, voice_to_ogg_opus
from tuberry.bot.common.rendering import Outgoing
from tuberry.bot.common.topics import Rejected, Transient, classify
from tuberry.domain.render import CAPTION_LIMIT as TELEGRAM_CAPTION_LIMIT
from tuberry.domain.render import TEXT_LIMIT as TELEGRAM_TEXT_LIMIT
from tuberry.domain.textsplit import split_text
from tuberry.jobs.runtime import Runtime
from tuberry.storage.models import AvitoAccount, ClientBot, Dialog

log = logging.getLogger(__name__)

MEDIA_TRIES = 4  # tries of a job to fetch media from Avito before a text line stands in for it


@dataclass
class Target:
    """A dialog and everything needed to post into its topic, loaded once per delivery round."""

    dialog: Dialog
    account: AvitoAccount
    bot: ClientBot
    chat_id: int
    t: Translator
    attempt: int  # the job's try: media that keeps failing gives way to a text line, not a stuck topic


async def call(coro: Any) -> Any:
    """Await a Telegram call, turning its failure into a TopicError."""
    try:
        return await coro
    except Exception as exc:
        raise classify(exc) from exc


async def post(rt: Runtime, bot: Bot, target: Target, out: Outgoing) -> int:
    topic = target.dialog.topic_id
    caption = out.text[:TELEGRAM_CAPTION_LIMIT]
    if out.kind == "photo" and out.media_url:
        by_url = bot.send_photo(target.chat_id, out.media_url, caption=caption, message_thread_id=topic)
        try:  # Telegram fetches the picture itself: no bytes through us
            return int((await call(by_url)).message_id)
        except Rejected:  # it could not: upload the bytes
            data = await _download(rt, target, out.media_url)
        if data is not None:
            photo = BufferedInputFile(data, "image.jpg")
            sent = await call(bot.send_photo(target.chat_id, photo, caption=caption, message_thread_id=topic))
            return int(sent.message_id)
        return await send_text(bot, target, target.t("render-image-fallback", url=html.escape(out.media_url)))
    if out.kind == "voice" and out.voice_id:
        voice = await _voice(rt, target, out.voice_id)
        if voice is None:
            return await send_text(bot, target, target.t("render-voice-missing"))
        note = BufferedInputFile(voice, "voice.ogg")
        sent = await call(bot.send_voice(target.chat_id, note, caption=caption, message_thread_id=topic))
        return int(sent.message_id)
    return await send_text(bot, target, out.text)


async def send_text(bot: Bot, target: Target, text: str) -> int:
    first: int | None = None
    for part in split_text(text, TELEGRAM_TEXT_LIMIT, html=True):
        sent = await call(bot.send_message(target.chat_id, part, message_thread_id=target.dialog.topic_id))
        first = first or int(sent.message_id)
    assert first is not None
    return first


async def _download(rt: Runtime, target: Target, url: str) -> bytes | None:
    api = account_session(rt.services.avito, rt.services.db, target.account)
    try:
        return await api.download(url)
    except AvitoNotFound:
        return None  # the text rendering carries the link
    except AvitoError as exc:
        if exc.retryable and target.attempt < MEDIA_TRIES:
            raise Transient(str(exc)) from exc
        return None


async def _voice(rt: Runtime, target: Target, voice_id: str) -> bytes | None:
    """The voice note as OGG/Opus; None when Avito has no file for it any more."""
    api = account_session(rt.services.avito, rt.services.db, target.account)
    try:
        urls = await api.voice_urls(target.account.avito_user_id, [voice_id])
        url = urls.get(voice_id)
        if not url:
            return None
        data = await api.download(url)
    except AvitoError as exc:
        if exc.retryable and target.attempt < MEDIA_TRIES:
            raise Transient(str(exc)) from exc
        return None
    try:
        return await asyncio.to_thread(voice_to_ogg_opus, data)
    except MediaError as exc:
        log.warning("voice %s could not be converted: %s", voice_id, exc)
        return None
