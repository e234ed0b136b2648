"""Tuberry: Avito Messenger chats in Telegram forum topics."""
