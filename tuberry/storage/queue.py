"""The one place that names arq jobs, their `_job_id`s and deferrals.

Jobs carry ids, never objects: whatever a job needs is read from the database when it runs, so a job that is
lost (Redis restart) is re-created by the sweep from database state and a duplicate finds nothing to do.
"""

from __future__ import annotations

from arq import ArqRedis
from arq.connections import RedisSettings, create_pool
from arq.constants import in_progress_key_prefix

POLL_ACCOUNT = "poll_account"
CHECK_ACCOUNTS = "check_accounts"
DELIVER_DIALOG = "deliver_to_telegram"
SEND_TO_AVITO = "send_to_avito"
AUTO_REPLY = "auto_reply"
WAITING_ALERTS = "waiting_alerts"
SET_TOPIC_ICON = "set_topic_icon"
# A topic's icon follows its status a moment later, so a dialog that flips several times within it gets one
# edit, to the latest status (the job reads the status when it runs).
TOPIC_ICON_DELAY = 1.0
FOLLOW_UP_DELAY = 0.5  # seconds; a follow-up run goes after the dialog's current one has had its chance


def queue_name(prefix: str) -> str:
    return f"{prefix}:queue"


# Seconds to open a connection to Redis. arq's default of 1 s turns a busy machine (or a Redis pausing to
# fork) into errors: a worker's job loop ended on "Timeout connecting to server" under a loaded test run.
CONNECT_TIMEOUT = 5


def redis_settings(redis_url: str) -> RedisSettings:
    """arq's settings for `redis_url`, for the queue's pool and the workers alike."""
    settings = RedisSettings.from_dsn(redis_url)
    settings.conn_timeout = CONNECT_TIMEOUT
    return settings


async def connect(redis_url: str) -> ArqRedis:
    return await create_pool(redis_settings(redis_url))


class JobQueue:
    """Enqueues Tuberry's jobs; deduplicates by `_job_id` so a second request while one waits is a no-op."""

    def __init__(self, redis: ArqRedis, prefix: str) -> None:
        self.redis = redis
        self.name = queue_name(prefix)
        # arq's job keys are global to the Redis database, so ids carry the installation's prefix.
        self._ids = prefix

    async def poll_account(self, account_id: int) -> bool:
        """False when a poll of the account is already queued or running (its `_job_id` is taken)."""
        job = await self.redis.enqueue_job(
            POLL_ACCOUNT, account_id, _job_id=f"{self._ids}:poll:{account_id}", _queue_name=self.name
        )
        return job is not None

    async def check_accounts(self, account_ids: list[int]) -> None:
        """A due poll of these accounts: one job reads each one's first page of chats and hands only the
        changed ones to `poll_account`. No `_job_id`: the tick marks them polled, so none is due twice."""
        await self.redis.enqueue_job(CHECK_ACCOUNTS, account_ids, _queue_name=self.name)

    async def deliver(self, dialog_id: int, *, follow_up: bool = True) -> None:
        """Post the dialog's pending messages into its topic, in order: one job per dialog (see `send`)."""
        await self._per_dialog(DELIVER_DIALOG, "deliver", dialog_id, follow_up)

    async def send(self, dialog_id: int, *, follow_up: bool = True) -> None:
        """Send the dialog's pending manager messages to Avito, oldest first: one job per dialog keeps them in
        the order they were written (a retried first message is never overtaken by the second).

        When the dialog's job exists already it may be past its last look at the database, so a follow-up
        run is queued behind it (the dialog's lease keeps the two apart); the sweep, which only re-creates
        lost jobs, passes `follow_up=False`.
        """
        await self._per_dialog(SEND_TO_AVITO, "send", dialog_id, follow_up)

    async def _per_dialog(
        self, function: str, kind: str, dialog_id: int, follow_up: bool, delay: float | None = None
    ) -> None:
        """One job per dialog (its id says so). When it is running already and `follow_up`, a second runs
        after it, so that what changed meanwhile is seen; one that is only queued (or waits for a retry) has
        not read anything yet and will see it, so it needs none (arq marks a job in progress before it runs
        the function)."""
        job_id = f"{self._ids}:{kind}:{dialog_id}"
        job = await self.redis.enqueue_job(
            function, dialog_id, _job_id=job_id, _defer_by=delay, _queue_name=self.name
        )
        if job is None and follow_up and await self.redis.exists(in_progress_key_prefix + job_id):
            await self.redis.enqueue_job(
                function,
                dialog_id,
                _job_id=f"{self._ids}:{kind}-next:{dialog_id}",
                _defer_by=delay or FOLLOW_UP_DELAY,
                _queue_name=self.name,
            )

    async def auto_reply(self, dialog_id: int, delay: float) -> None:
        await self.redis.enqueue_job(
            AUTO_REPLY,
            dialog_id,
            _job_id=f"{self._ids}:autoreply:{dialog_id}",
            _defer_by=delay,
            _queue_name=self.name,
        )

    async def waiting_alerts(self, bot_id: int) -> None:
        """Alert a bot's group about buyers waiting too long (one job per bot; the sweep queues it)."""
        await self.redis.enqueue_job(
            WAITING_ALERTS, bot_id, _job_id=f"{self._ids}:waiting:{bot_id}", _queue_name=self.name
        )

    async def topic_icon(self, dialog_id: int) -> None:
        """Bring the dialog's topic icon in line with its status (low priority: after its messages); a
        follow-up reads the status after a job that is queued or running."""
        await self._per_dialog(SET_TOPIC_ICON, "icon", dialog_id, follow_up=True, delay=TOPIC_ICON_DELAY)

    async def depth(self) -> int:
        return int(await self.redis.zcard(self.name))
