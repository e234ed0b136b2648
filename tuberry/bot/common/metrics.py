"""Prometheus metrics of the bridge (exposed at /metrics by every process that runs the HTTP server)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

MESSAGES = Counter(
    "tuberry_messages_total",
    "Messages through the bridge by way and outcome",
    ["way", "outcome"],  # way: to_telegram | to_avito; outcome: stored | delivered | sent | failed
)
POLLS = Counter("tuberry_avito_polls_total", "Polls of Avito accounts by result", ["result"])
POLL_SECONDS = Histogram("tuberry_avito_poll_seconds", "Duration of one account poll")
DELIVERY_LAG = Histogram(
    "tuberry_delivery_lag_seconds",
    "From storing a message to Telegram or Avito accepting it",
    ["way"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
)
TELEGRAM_RETRY_AFTER = Counter("tuberry_telegram_retry_after_total", "429 answers from Telegram")
