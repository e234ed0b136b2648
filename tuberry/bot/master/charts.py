"""Chart images of the Stats screen, as PNG bytes.

Drawn on matplotlib's Agg canvas through the object API (no pyplot): no display is needed and no global
figure state is shared, so a chart can be drawn in a worker thread (`asyncio.to_thread`) while the event
loop goes on. Texts come in already translated.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from tuberry.domain.stats import DayCount

IN_COLOUR, OUT_COLOUR, AUTO_COLOUR = "#4C78A8", "#54A24B", "#B7D7A8"
MAX_LABELS = 10  # dates on the x axis: a 30-day chart labels every third day


@dataclass(frozen=True, slots=True)
class ChartTexts:
    title: str
    incoming: str
    outgoing: str
    auto: str


def messages_per_day(days: Sequence[DayCount], texts: ChartTexts) -> bytes:
    """Bars per local day: buyers' messages beside the answers (human replies with auto-replies on top)."""
    # matplotlib takes tens of MB and a second to import: loaded with the first chart, not at start.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 4.2), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(days)))
    width = 0.4
    left = [x - width / 2 for x in positions]
    right = [x + width / 2 for x in positions]
    human = [day.messages_out for day in days]
    axes.bar(left, [day.messages_in for day in days], width, label=texts.incoming, color=IN_COLOUR)
    axes.bar(right, human, width, label=texts.outgoing, color=OUT_COLOUR)
    axes.bar(
        right, [day.auto_replies for day in days], width, bottom=human, label=texts.auto, color=AUTO_COLOUR
    )

    step = max(1, -(-len(days) // MAX_LABELS))
    labelled = positions[::-1][::step][::-1]  # counted back from today, so today is always labelled
    axes.set_xticks(labelled, [days[i].day.strftime("%d.%m") for i in labelled])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    axes.set_title(texts.title)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    # Below the axis, where no bar can hide behind it.
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=3, frameon=False)
    figure.tight_layout()

    target = io.BytesIO()
    figure.savefig(target, format="png")
    return target.getvalue()
