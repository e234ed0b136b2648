"""deliver_to_telegram: a dialog's pending messages into its forum topic, in order, paced, once each.

One job per dialog (`_job_id`) under the dialog's lease, so messages of one topic never overtake each other.
Each round loads the dialog's target as stored, first completes the topic's set-up steps (topic, card, pin),
each stored as it succeeds, then posts messages (jobs/deliver_steps): one Telegram message each, or, when the
group's Telegram budget cannot carry them one by one, the buyer's texts together. Each message is marked
delivered right after Telegram accepts it; a run hands over to a fresh one after its time budget; the Avito
chat is marked read only when nothing is left (asked after each round's batch: another round only when more
came). What Telegram answers decides the next round: a deleted topic is recreated, a closed one reopened, a
migrated group followed, a rate limit or an outage waited out.
"""

from __future__ import annotations

import logging
from typing import Any

from arq import Retry

from tuberry.app.metrics import TELEGRAM_RETRY_AFTER
from tuberry.jobs import deliver_steps as steps
from tuberry.jobs.leases import check_lease
from tuberry.jobs.runtime import Budget, Runtime, backoff, runtime
from tuberry.telegram.forum import ChatMigrated, GroupUnusable, RateLimited, TopicClosed, TopicGone, Transient

log = logging.getLogger(__name__)

BATCH = 20
MAX_ROUNDS = 20  # topic recreated / reopened / migrated: try again, but never loop forever
# A Telegram blip (5xx, a dropped connection) is retried 1 s doubling to this: the head message's count also
# takes the failures of its topic's set-up steps, and a buyer must not wait a minute behind a few blips.
# (429s wait exactly Telegram's retry_after instead.)
TRANSIENT_CAP = 15.0


async def deliver_to_telegram(ctx: dict[str, Any], dialog_id: int) -> str:
    rt = runtime(ctx)
    budget = Budget(rt.budget)
    reopen = False
    for _ in range(MAX_ROUNDS):
        loaded = await steps.load(rt, dialog_id, BATCH)
        if loaded is None:
            return "no target"
        delivery, pending = loaded
        if not pending:
            return await _done(rt, delivery)
        target = delivery.target
        reopen = reopen or delivery.closed  # closed by /close: a message reopens it before it is posted
        try:
            check_lease(ctx)
            if reopen and target.topic_id is not None:
                reopen = False
                if not await steps.reopen_topic(rt, delivery):
                    continue
            if not target.has_topic:
                delivery = await steps.open_topic(rt, delivery)
            # The card and its pin are steps of their own: a 429 on either is retried by the next round.
            if delivery.target.card_message_id is None:
                delivery = await steps.post_card(rt, delivery)
            if not delivery.target.card_pinned:
                delivery = await steps.pin_card(rt, delivery)
            while pending:
                check_lease(ctx)
                pending = pending[await steps.post_next(rt, delivery, pending) :]
                if budget.spent:
                    raise Retry()  # hand over to a fresh run well before the job's timeout
            if not await steps.anything_pending(rt, dialog_id):
                # Done without reading the dialog again: only a new buyer message makes the chat unread, and
                # it would be pending.
                return await _done(rt, delivery)
        except TopicGone:
            log.info("topic of dialog %s is gone: recreating it", dialog_id)
            await steps.forget_topic(rt, dialog_id)
        except TopicClosed:
            reopen = True
        except ChatMigrated as migrated:
            await steps.migrate(rt, target.bot_id, target.chat_id, migrated.new_chat_id)
        except RateLimited as limited:
            TELEGRAM_RETRY_AFTER.inc()
            await rt.pacer.penalise(target.chat_id, limited.retry_after)
            raise Retry(defer=limited.retry_after) from limited
        except Transient as exc:
            tries = await steps.count_try(rt, dialog_id)
            raise Retry(defer=backoff(tries, cap=TRANSIENT_CAP)) from exc
        except GroupUnusable as exc:
            await steps.note_unusable(rt, target.bot_id, exc)
            return f"group unusable: {exc.reason}"
    return "gave up this round"


async def _done(rt: Runtime, delivery: steps.Delivery) -> str:
    """Nothing is left: the Avito chat is marked read, and the topic's icon follows the messages, never goes
    before them."""
    await steps.mark_read(rt, delivery)
    await rt.services.queue.topic_icon(delivery.target.dialog_id)
    return "done"
