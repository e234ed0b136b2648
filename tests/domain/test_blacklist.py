"""A manager's words after /block as one of Avito's blacklist reasons."""

from __future__ import annotations

import pytest

from tuberry.domain.blacklist import BlockReason, block_reason
from tuberry.domain.template import QUICK_REPLY_VARIABLES, VARIABLES, template_problems


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        ("spam", BlockReason.SPAM),
        ("Спам, шлёт рекламу", BlockReason.SPAM),
        ("реклама", BlockReason.SPAM),
        ("мошенник", BlockReason.FRAUD),
        ("Мошенничество: просит предоплату", BlockReason.FRAUD),
        ("scam", BlockReason.FRAUD),
        ("«развод»", BlockReason.FRAUD),
        ("оскорбления", BlockReason.INSULT),
        ("хамит", BlockReason.INSULT),
        ("rude buyer", BlockReason.INSULT),
        ("", BlockReason.OTHER),
        (None, BlockReason.OTHER),
        ("надоел", BlockReason.OTHER),
        ("просто спам", BlockReason.OTHER),  # only the first word decides
    ],
)
def test_block_reason(words: str | None, reason: BlockReason) -> None:
    assert block_reason(words) is reason


def test_quick_replies_know_the_items_price_and_link_and_auto_replies_do_not() -> None:
    text = "{buyer_name}: {item_title} за {item_price}, {item_url}. {next_open}"
    assert template_problems(text, variables=QUICK_REPLY_VARIABLES) == []
    unknown = [p.variable for p in template_problems(text, variables=VARIABLES)]
    assert unknown == ["item_price", "item_url"]
