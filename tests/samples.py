"""Sample media made on the fly: no binary fixtures in the repository."""

from __future__ import annotations

import io

import av
import numpy as np


def opus_voice(seconds: float = 1.0, container: str = "mp4") -> bytes:
    """A short Opus tone in the given container, as Avito serves voice notes (used by tests and benches)."""
    target = io.BytesIO()
    with av.open(target, mode="w", format=container) as sink:
        stream = sink.add_stream("libopus", rate=48000)
        stream.layout = "mono"
        samples = int(48000 * seconds)
        tone = (np.sin(np.arange(samples) * 2 * np.pi * 440 / 48000) * 0.3).astype("float32")
        for start in range(0, samples, 960):
            chunk = tone[start : start + 960].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate = 48000
            for packet in stream.encode(frame):
                sink.mux(packet)
        for packet in stream.encode(None):
            sink.mux(packet)
    return target.getvalue()


def jpeg(width: int = 64, height: int = 48) -> bytes:
    """A small real JPEG image."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure = plt.figure(figsize=(width / 16, height / 16), dpi=16)
    figure.add_subplot().plot([0, 1], [1, 0])
    target = io.BytesIO()
    figure.savefig(target, format="jpeg")
    plt.close(figure)
    return target.getvalue()
