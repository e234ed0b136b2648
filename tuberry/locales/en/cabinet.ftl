# The owner's cabinet in the master bot.

cabinet-back = ‹ Back
cabinet-cancel = Cancel
cabinet-not-found = Not found: it may have been removed, or it belongs to another cabinet.
# Something other than a bot or account number was sent.
cabinet-not-a-number = Send the number in digits, for example: 5
cabinet-outdated = This button is outdated. Opening the menu again.
cabinet-never = not yet
cabinet-mode-polling = polling (long polling)
cabinet-mode-webhook = webhook

## Main menu

menu-welcome =
    👋 Welcome to Tuberry!
    I bring your Avito chats into topics of your Telegram group: buyers write on Avito, managers answer right in the topic.
    Start with “Bots”: connect your own bot, then add an Avito account. Details are in “Help”.
menu-title =
    <b>Tuberry — cabinet</b>
    Bots: { $bots } · Avito accounts: { $accounts }
menu-blocked = ⛔ This cabinet is blocked by the administrator; messages are not relayed. Reason: { $reason }
menu-blocked-no-reason = not given
menu-stranger = Send /start to open your cabinet.
menu-bots = 🤖 Bots
menu-accounts = 🛒 Avito accounts
menu-autoreply = 💬 Auto-reply
menu-stats = 📊 Stats
menu-language = 🌐 Language
menu-help = ❓ Help

## Bots

bots-title =
    <b>Your bots</b>
    Tuberry writes into your group through your own bot. Tap a bot to open its card, or send its number.
bots-empty = No bots yet. Tap “Connect a bot”.
bots-no-group = no group
bots-add = ➕ Connect a bot
bots-add-prompt =
    <b>Connecting a bot</b>
    1. Open @BotFather and send /newbot.
    2. Choose a name and a username for the bot.
    3. Copy the token (like <code>123456789:AA…</code>) and send it here.

    I'll delete the message with the token from the chat right away.
bots-error-malformed = ❌ That doesn't look like a bot token. A token looks like <code>123456789:AAH…</code>: copy the whole of it from @BotFather.
bots-error-invalid = ❌ Telegram didn't accept this token: the bot doesn't exist or the token was revoked. Get the current token in @BotFather (/mybots → your bot → API Token).
bots-error-master = ❌ That's Tuberry's own token. Send the token of your own bot from @BotFather.
bots-error-taken = ❌ This bot is already connected in another Tuberry cabinet. Create a separate bot for yourself in @BotFather.
bots-error-telegram_down = ⏳ Telegram isn't answering right now. Send the token again in a minute.
bots-connected = ✅ Bot @{ $username } is connected and already receiving updates.
bots-updated = ✅ Bot @{ $username } is updated.

bot-status-active = running
bot-status-disabled = disabled by Telegram (token revoked or bot deleted)
bot-status-removed = disconnected
bot-card =
    <b>Bot @{ $username }</b>
    Status: { $status }
    Receiving updates: { $mode }
    Last update: { $last_update }
    Avito accounts: { $accounts }
bot-card-group = Group: <b>{ $group }</b> (<code>{ $group_id }</code>)
bot-card-no-topics-right = ⚠️ The bot lacks the “Manage topics” right: no new chats can appear without it. Grant it in the group's administrator settings and tap “Re-check”.
bot-card-missing = ⚠️ Worth fixing: { $missing }.
bot-card-how-to-bind =
    <b>No group connected yet.</b>
    1. Create a group in Telegram and switch “Topics” on in its settings.
    2. Tap “Add to group”: Telegram will offer exactly the administrator rights needed.
    Or open the bot and tap “Choose a group with topics” there.
    3. The bot will say in the group that everything is ready, or what to fix.
bot-add-to-group = ➕ Add to group
bot-open-private = 💬 Open the bot
bot-recheck = 🔄 Re-check
bot-unbind = Unbind group
bot-disconnect = 🗑 Disconnect bot
bot-unbind-confirm =
    Unbind the group “{ $group }” from @{ $username }?
    New Avito messages will stop arriving in its topics until you bind a group again. The bot stays in the group.
bot-unbind-yes = Yes, unbind
bot-unbound = The group is unbound.
bot-disconnect-confirm =
    Disconnect @{ $username } from Tuberry?
    The bot stops receiving messages at once. Avito accounts linked to it: { $accounts }; they will wait for another bot.
bot-disconnect-yes = Yes, disconnect
bot-disconnected = Bot @{ $username } is disconnected.

## Avito accounts

accounts-title =
    <b>Avito accounts</b>
    Tap an account to open its card, or send its number.
accounts-empty = No accounts yet. Tap “Add an account”.
accounts-add = ➕ Add an account
accounts-add-client-id =
    <b>Adding an Avito account</b>
    1. Sign in to Avito with the <b>company's main account</b> (not an employee's).
    2. Open https://www.avito.ru/professionals/api and get the API keys.
    3. Send the <b>client_id</b> here.

    The Messenger API comes with these plans: Goods and Jobs — “Maximum”; Services — “Extended” or “Maximum”.
accounts-add-secret =
    client_id: <code>{ $client_id }</code>
    Now send the <b>client_secret</b>. I'll delete that message from the chat right away.
accounts-change-client-id = Change client_id
accounts-error-client-id = ❌ That doesn't look like a client_id: copy the whole of it from the API keys page, without spaces.
accounts-error-secret-format = ❌ That doesn't look like a client_secret: copy the whole of it, without spaces.
accounts-error-invalid = ❌ Avito didn't accept this client_id and client_secret. Copy both keys again from the main account's API page and send the client_secret again (or change the client_id).
accounts-error-forbidden =
    ❌ Avito denied access to the Messenger (error 403). This happens when:
    • the plan doesn't include the Messenger API — you need “Maximum” (Goods, Jobs) or “Extended”/“Maximum” (Services);
    • the keys belong to an employee, not to the company's main account.
    Switch the plan or take the main account's keys, then send the client_secret again.
accounts-error-payment_required = ❌ Avito answers “Payment required” (402): the Messenger API isn't paid for on this account. Switch to a plan with the Messenger (“Maximum”, or “Extended” for Services) and try again.
accounts-error-taken = ❌ This Avito account is already connected in another Tuberry cabinet.
accounts-error-avito_down = ⏳ Avito isn't answering right now. Send the client_secret again in a couple of minutes.
accounts-error-error = ❌ Avito returned an unexpected error. Please try again later.
accounts-added = ✅ Account “{ $name }” is added.
accounts-updated = ✅ The keys of “{ $name }” are updated.
accounts-pick-bot = Which bot should relay this account's chats?
accounts-pick-later = Choose later
accounts-no-bots = Connect a bot in “Bots” first.

account-status-active = ✅ running
account-status-paused = ⏸ paused
account-status-error = ⚠️ stopped by an error
account-status-removed = removed
account-card =
    <b>{ $name }</b>
    Avito ID: <code>{ $avito_id }</code>
    Status: { $status }
    Receiving messages: { $mode }
    Bot: { $bot }
    Last successful poll: { $last_success }
    Unread on Avito: { $backlog }
account-card-no-bot = ⚠️ No bot chosen: this account's messages go nowhere. Tap “Change bot”.
account-card-error = Last error ({ $error_at }): { $error }
account-error-invalid_credentials = Avito no longer accepts the client_id and client_secret: the keys changed. Remove the account and add it with the new keys.
account-error-unauthorized = Avito rejects the access token. Tap “Resume”; if that doesn't help, add the account again.
account-error-forbidden = no access to the Messenger (403): a plan without the Messenger API, or an employee's keys instead of the main account's.
account-error-payment_required = the Messenger API isn't paid for (402): switch to a suitable plan and tap “Resume”.
account-error-rate_limited = Avito asked to wait (too many requests); polling will continue by itself.
account-error-unavailable = Avito didn't answer; polling will continue by itself.
account-error-other = error “{ $code }”.
account-pause = ⏸ Pause
account-resume = ▶️ Resume
account-relink = 🔁 Change bot
account-remove = 🗑 Remove account
account-remove-confirm =
    Remove the account “{ $name }” from Tuberry?
    New messages will stop arriving in the group and the keys will be erased. Topics in the group stay.
account-remove-yes = Yes, remove
account-linked = ✅ Bot chosen; the first messages will arrive within a minute.
account-paused = ⏸ The account is paused: new messages are not relayed.
account-resumed = ▶️ The account is running again.
account-removed = Account “{ $name }” is removed.

## Language, help

language-title = Choose the language of the cabinet and of the bot's messages.
language-ru = 🇷🇺 Русский
language-en = 🇬🇧 English

help-text =
    <b>How to set everything up</b>

    <b>1. Bot.</b> Send /newbot to @BotFather, get the token and send it in “Bots → Connect a bot”.

    <b>2. Group.</b> Create a Telegram group and switch “Topics” on in its settings. In the bot's card tap “Add to group”: the bot asks for the administrator rights “Manage topics”, “Pin messages” and “Delete messages”. The bot will say in the group that it is connected (or what to fix). The /bind command in the group repeats the check.

    <b>3. Avito.</b> With the company's main account open https://www.avito.ru/professionals/api, get the client_id and client_secret and add them in “Avito accounts”. A plan with the Messenger API is required.

    <b>4. Done.</b> Every Avito chat becomes a topic in the group; its first message is the listing's card. Answer right in the topic: text and photos go to the buyer on Avito.

    Auto-reply outside working hours is in “Auto-reply”. Questions: @{ $master }.

## Temporary auto-reply and stats screens

cabinet-autoreply-title =
    <b>Auto-reply</b>
    Now: { $state }
    Mode: { $mode }
cabinet-autoreply-text = Text: { $text }
cabinet-autoreply-on = on
cabinet-autoreply-off = off
cabinet-autoreply-mode-always = always
cabinet-autoreply-mode-schedule = on a schedule
