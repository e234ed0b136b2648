# Binding a group to the owner's bot: answers in the group, in the chat with the bot and in the cabinet.

bind-bound = ✅ The group “{ $title }” is connected to @{ $bot }. New Avito chats will appear here as topics.
bind-bound-missing = To make everything work, also give the bot: { $missing }.
bind-not_group = ❌ Only a group with topics can be connected, not a channel.
bind-not_forum =
    ❌ Topics are off in this group.
    Open the group settings → “Topics”, switch them on, then send /bind here.
bind-not_admin =
    ❌ I'm not an administrator here.
    Make me an administrator with “Manage topics” (plus “Pin messages” and “Delete messages”), then send /bind.
bind-no_manage_topics =
    ❌ I lack the “Manage topics” right, so I can't create topics for Avito chats.
    Grant it in the group's administrator settings, then send /bind.
bind-not_owner = ⛔ Only the bot's owner in Tuberry can connect a group. Ask them to add me or to send /bind here.
bind-no_access = ❌ I can't see this group. Add me to it as an administrator first.
bind-taken = ❌ This group is already connected to another Tuberry bot. One group, one bot.
bind-token_revoked = ❌ The bot's token no longer works. Connect the bot again in @{ $master }.
bind-bot_gone = This bot is disconnected from Tuberry.
bind-telegram_down = ⏳ Telegram didn't answer. Try again in a minute.

bind-right-manage_topics = “Manage topics”
bind-right-pin_messages = “Pin messages”
bind-right-delete_messages = “Delete messages”
bind-right-forum = switch “Topics” on in the group

membership-choose-group = Choose a group with topics
membership-start-owner =
    This is your Tuberry bot. It brings your Avito chats into your group with topics.
    Tap “Choose a group with topics” below: Telegram will offer your groups and grant me the rights I need right away. Settings are in @{ $master }.
membership-start-bound = Connected group: “{ $title }”.
membership-start-stranger = This bot relays a shop's Avito chats into its team group. There is nothing to do here.
