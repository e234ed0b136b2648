"""Media conversions Telegram needs: Avito voice notes are Opus in MP4, Telegram plays OGG/Opus inline."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import av


class MediaError(Exception):
    """The bytes are not audio we can turn into a voice note."""


def voice_to_ogg_opus(data: bytes) -> bytes:
    """Remux Opus from any container into OGG; re-encode other codecs to Opus. Blocking: run in a thread."""
    import av  # FFmpeg's libraries take tens of MB: loaded with the first voice note, not at start

    try:
        with av.open(io.BytesIO(data)) as source:
            if not source.streams.audio:
                raise MediaError("no audio stream")
            audio = source.streams.audio[0]
            target = io.BytesIO()
            with av.open(target, mode="w", format="ogg") as sink:
                if audio.codec_context.name == "opus":
                    _remux(source, audio, sink)
                else:
                    _transcode(source, audio, sink)
            return target.getvalue()
    except av.FFmpegError as exc:
        raise MediaError(str(exc)) from exc


def _remux(
    source: av.container.InputContainer, audio: av.AudioStream, sink: av.container.OutputContainer
) -> None:
    stream = sink.add_stream_from_template(audio)
    for packet in source.demux(audio):
        if packet.dts is None:  # the demuxer's flush packet
            continue
        packet.stream = stream
        sink.mux(packet)


def _transcode(
    source: av.container.InputContainer, audio: av.AudioStream, sink: av.container.OutputContainer
) -> None:
    stream = sink.add_stream("libopus", rate=48000)
    for frame in source.decode(audio):
        frame.pts = None
        for packet in stream.encode(frame):
            sink.mux(packet)
    for packet in stream.encode(None):
        sink.mux(packet)


def original_voice_name(data: bytes) -> str:
    """A file name Telegram's player recognises for a voice file sent as it is, by its container."""
    if data.startswith(b"OggS"):
        return "voice.ogg"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "voice.mp3"
    return "voice.m4a"  # Avito's voice notes are Opus in MP4
