"""Unique ids for aiogram-dialog's dialogs (intents) and stacks.

aiogram-dialog 2.6 builds an id from the current second plus one of only 100 random numbers
(`api/entities/stack.py`, `new_int_id`; upstream pull request #501 is still open). Two dialogs
started within the same second share an id one time in a hundred: in one chat the second dialog's
context overwrites the first one's (the owner then gets "this button is outdated"), and a button
replayed from another owner's chat can match a live dialog in one's own chat and be handled there.
48 random bits make a clash practically impossible and keep ids short (at most 9 characters of the
64 bytes of callback data).
"""

from __future__ import annotations

import secrets

from aiogram_dialog.api.entities import stack

ID_BITS = 48


def unique_int_id() -> int:
    return secrets.randbits(ID_BITS)


def use_unique_intent_ids() -> None:
    """Replace aiogram-dialog's id source (looked up at each call by `new_id`, `Stack` and `push`)."""
    if not callable(getattr(stack, "new_int_id", None)):  # a new aiogram-dialog: check how it makes ids
        raise RuntimeError("aiogram_dialog.api.entities.stack.new_int_id is gone; revisit intent_ids.py")
    stack.new_int_id = unique_int_id
