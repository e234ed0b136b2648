"""The Telegram Bot API as a service (the mirror of `tuberry.avito`): bots, forum topics, media."""
