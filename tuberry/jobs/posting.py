"""Posting one stored message into its forum topic: text, photo or voice, and what stands in when media fails.

Photos go by URL first (Telegram fetches them), then as uploaded bytes; a voice note is fetched from Avito and
remuxed to OGG/Opus, or sent as the original file when that fails. Media that keeps failing gives way to a
text line, so one picture never blocks a topic.
"""

from __future__ import annotations

import asyncio
import html
import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.types import BufferedInputFile

from tuberry.app.avito_access import account_session
from tuberry.app.i18n import Translator
from tuberry.app.topic_texts import Outgoing
from tuberry.avito import AvitoError, AvitoNotFound
from tuberry.domain.render import CAPTION_LIMIT as TELEGRAM_CAPTION_LIMIT
from tuberry.domain.render import TEXT_LIMIT as TELEGRAM_TEXT_LIMIT
from tuberry.domain.textsplit import split_text
from tuberry.jobs.runtime import Runtime, pace
from tuberry.storage.models import AvitoAccount, ClientBot, Dialog
from tuberry.telegram.forum import Rejected, Transient, classify
from tuberry.telegram.media import MediaError, original_voice_name, voice_to_ogg_opus

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
    attempt: int  # this message's try: media that keeps failing gives way to a text line, not a stuck topic


async def call(coro: Any) -> Any:
    """Await a Telegram call, turning its failure into a TopicError."""
    try:
        return await coro
    except Exception as exc:
        raise classify(exc) from exc


async def post(rt: Runtime, bot: Bot, target: Target, out: Outgoing) -> int:
    """Post one message; the caller took its pacing slot. A call Telegram refused created no message, so its
    slot passes to the call that stands in for it; every further message takes a slot of its own."""
    caption = out.text[:TELEGRAM_CAPTION_LIMIT]
    if out.kind == "photo" and out.media_url:
        return await _photo(rt, bot, target, out.media_url, caption)
    if out.kind == "voice" and out.voice_id:
        return await _voice(rt, bot, target, out.voice_id, caption)
    return await send_text(bot, target, out.text, rt=rt)


async def send_text(bot: Bot, target: Target, text: str, *, rt: Runtime | None = None) -> int:
    """Send a text in as many parts as Telegram's limit needs. The caller paced the first part; with `rt`
    every further part waits for a slot of its own."""
    first: int | None = None
    for part in split_text(text, TELEGRAM_TEXT_LIMIT, html=True):
        if first is not None and rt is not None:
            await pace(rt, target.chat_id, target.bot.id)
        sent = await call(bot.send_message(target.chat_id, part, message_thread_id=target.dialog.topic_id))
        first = first or int(sent.message_id)
    assert first is not None
    return first


async def _photo(rt: Runtime, bot: Bot, target: Target, url: str, caption: str) -> int:
    topic = target.dialog.topic_id
    if target.attempt < MEDIA_TRIES:
        try:  # Telegram fetches the picture itself: no bytes through us
            return await _sent(bot.send_photo(target.chat_id, url, caption=caption, message_thread_id=topic))
        except Rejected:  # it could not fetch it: upload the bytes
            pass
        # A timeout or a dropped connection (Transient) goes up and the job tries again with back-off; once
        # the tries are spent the bytes go up instead, so a host that always times out never blocks the topic.
    data = await _download(rt, target, url)
    if data is None:
        return await send_text(bot, target, target.t("render-image-fallback", url=html.escape(url)), rt=rt)
    photo = BufferedInputFile(data, "image.jpg")
    return await _sent(bot.send_photo(target.chat_id, photo, caption=caption, message_thread_id=topic))


async def _voice(rt: Runtime, bot: Bot, target: Target, voice_id: str, caption: str) -> int:
    """A voice note plays inline as OGG/Opus; a file that cannot be converted goes as it is (Avito's link
    expires within an hour, the file in Telegram does not); only a file that cannot be had becomes a line."""
    topic = target.dialog.topic_id
    data = await _voice_file(rt, target, voice_id)
    if data is None:
        return await send_text(bot, target, target.t("render-voice-missing"), rt=rt)
    try:
        note = await asyncio.to_thread(voice_to_ogg_opus, data)
    except MediaError as exc:
        log.warning("voice %s could not be converted, sending the original file: %s", voice_id, exc)
    else:
        voice = BufferedInputFile(note, "voice.ogg")
        return await _sent(bot.send_voice(target.chat_id, voice, caption=caption, message_thread_id=topic))
    name = original_voice_name(data)
    try:  # Telegram's music player plays M4A and MP3
        audio = BufferedInputFile(data, name)
        return await _sent(bot.send_audio(target.chat_id, audio, caption=caption, message_thread_id=topic))
    except Rejected:  # not audio Telegram accepts: a document takes any file
        file = BufferedInputFile(data, name)
        return await _sent(bot.send_document(target.chat_id, file, caption=caption, message_thread_id=topic))


async def _sent(coro: Any) -> int:
    return int((await call(coro)).message_id)


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


async def _voice_file(rt: Runtime, target: Target, voice_id: str) -> bytes | None:
    """The voice note's file as Avito serves it; None when Avito has no file for it any more."""
    api = account_session(rt.services.avito, rt.services.db, target.account)
    try:
        urls = await api.voice_urls(target.account.avito_user_id, [voice_id])
        url = urls.get(voice_id)
        if not url:
            return None
        return await api.download(url)
    except AvitoError as exc:
        if exc.retryable and target.attempt < MEDIA_TRIES:
            raise Transient(str(exc)) from exc
        return None
