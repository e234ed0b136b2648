"""The Auto-reply windows and their widget ids, assembled into the Dialog."""

from __future__ import annotations

from aiogram import F
from aiogram.enums import ContentType
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Group, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from tuberry.bot.master.dialogs.autoreply.getters import (
    get_day,
    get_hours,
    get_input,
    get_main,
    get_text,
    get_zone,
)
from tuberry.bot.master.dialogs.autoreply.handlers import (
    on_always,
    on_day_hours,
    on_day_off,
    on_day_selected,
    on_disable,
    on_enable,
    on_schedule,
    on_text,
    on_weekdays_hours,
    on_zone_selected,
    on_zone_typed,
)
from tuberry.bot.master.states import AutoReplySG
from tuberry.bot.master.widgets import Blocks, T, choice

ID_ON, ID_OFF, ID_SCHEDULE, ID_ALWAYS = "on", "off", "ms", "ma"
ID_HOURS, ID_ZONE, ID_TEXT, ID_BACK, ID_TO_MAIN, ID_TO_HOURS = "hrs", "tz", "txt", "back", "main", "toh"
ID_DAY, ID_WEEKDAYS, ID_DAY_OFF, ID_ZONE_PICK = "d", "wd", "dof", "z"


def autoreply_dialog() -> Dialog:
    """The Auto-reply screen (a new instance per dispatcher)."""
    main_window = Window(
        Blocks(
            Format("{notice}", when="notice"),
            T("cabinet-not-found", when=~F["found"]),
            T("ar-main", when="found"),
            T("ar-main-text", when="found"),
            Format("{preview}", when="found"),
        ),
        Row(
            Button(T("ar-btn-on"), id=ID_ON, on_click=on_enable, when=F["found"] & ~F["enabled"]),
            Button(T("ar-btn-off"), id=ID_OFF, on_click=on_disable, when="enabled"),
        ),
        Row(
            Button(T("ar-btn-schedule"), id=ID_SCHEDULE, on_click=on_schedule),
            Button(T("ar-btn-always"), id=ID_ALWAYS, on_click=on_always),
            when="found",
        ),
        Row(
            SwitchTo(T("ar-btn-hours"), id=ID_HOURS, state=AutoReplySG.hours),
            SwitchTo(T("ar-btn-zone"), id=ID_ZONE, state=AutoReplySG.zone),
            when="found",
        ),
        SwitchTo(T("ar-btn-text"), id=ID_TEXT, state=AutoReplySG.text, when="found"),
        Cancel(T("cabinet-back"), id=ID_BACK),
        state=AutoReplySG.main,
        getter=get_main,
    )

    hours_window = Window(
        Blocks(
            Format("{notice}", when="notice"),
            Format("{error}", when="error"),
            T("cabinet-not-found", when=~F["found"]),
            T("ar-hours-title", when="found"),
        ),
        Column(
            choice(ID_DAY, "days", on_day_selected),
        ),
        SwitchTo(T("ar-btn-weekdays"), id=ID_WEEKDAYS, state=AutoReplySG.weekdays, when="found"),
        SwitchTo(T("cabinet-back"), id=ID_TO_MAIN, state=AutoReplySG.main),
        state=AutoReplySG.hours,
        getter=get_hours,
    )

    weekdays_window = Window(
        Blocks(Format("{error}", when="error"), T("ar-weekdays-prompt")),
        SwitchTo(T("cabinet-back"), id=ID_TO_HOURS, state=AutoReplySG.hours),
        MessageInput(on_weekdays_hours, content_types=ContentType.ANY),
        state=AutoReplySG.weekdays,
        getter=get_input,
    )

    day_window = Window(
        Blocks(
            Format("{error}", when="error"),
            T("cabinet-not-found", when=~F["found"]),
            T("ar-day-prompt", when="found"),
        ),
        Button(T("ar-btn-day-off"), id=ID_DAY_OFF, on_click=on_day_off, when="found"),
        SwitchTo(T("cabinet-back"), id=ID_TO_HOURS, state=AutoReplySG.hours),
        MessageInput(on_day_hours, content_types=ContentType.ANY),
        state=AutoReplySG.day,
        getter=get_day,
    )

    zone_window = Window(
        Blocks(
            Format("{error}", when="error"),
            T("cabinet-not-found", when=~F["found"]),
            T("ar-zone-title", when="found"),
        ),
        Group(
            choice(ID_ZONE_PICK, "zones", on_zone_selected),
            width=2,
            when="found",
        ),
        SwitchTo(T("cabinet-back"), id=ID_TO_MAIN, state=AutoReplySG.main),
        MessageInput(on_zone_typed, content_types=ContentType.ANY),
        state=AutoReplySG.zone,
        getter=get_zone,
    )

    text_window = Window(
        Blocks(
            Format("{error}", when="error"),
            T("cabinet-not-found", when=~F["found"]),
            T("ar-text-title", when="found"),
            T("ar-text-current", when="found"),
            T("ar-text-sample", when="found"),
        ),
        SwitchTo(T("cabinet-back"), id=ID_TO_MAIN, state=AutoReplySG.main),
        MessageInput(on_text, content_types=ContentType.ANY),
        state=AutoReplySG.text,
        getter=get_text,
    )

    return Dialog(main_window, hours_window, weekdays_window, day_window, zone_window, text_window)
