"""Prometheus metrics of the bridge (exposed at /metrics by every process that runs the HTTP server)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
# The workers' heartbeat: one worker runs each per-second tick, so the newest value over all workers is
# at most a few seconds old while any worker can reach Redis and the database.
TICK = Gauge("tuberry_worker_tick_timestamp_seconds", "Unix time this worker last ran the per-second tick")
OLDEST_POLL_AGE = Gauge(
    "tuberry_oldest_poll_age_seconds",
    "Seconds since the least recently polled active account was last polled successfully (set by the sweep)",
)
