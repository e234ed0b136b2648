# Avito messages in Telegram topics (tuberry/domain/render.py) and the dialog card.
# Arguments are the buyer's raw text; send without parse_mode.

## Text

render-text = { $text }
render-text-empty = (empty message)

## Photos and voice messages

# Photo caption. $url is the link to the largest image.
render-image = 📷 Photo
# When Telegram could not fetch the photo by its link.
render-image-fallback = 📷 Photo: { $url }
render-image-missing = 📷 Photo — Avito sent no link, see it in the Avito app
render-voice = 🎤 Voice message
render-voice-missing = 🎤 Voice message — listen to it in the Avito app

## Links and listings

render-link = 🔗 { $url }
render-link-titled =
    🔗 { $title }
    { $url }
render-link-preview =
    🔗 { $title }
    { $description }
    { $url }
render-item =
    🔗 Listing: { $title }
    { $url }
render-item-price =
    🔗 Listing: { $title }, { $price }
    { $url }

## Locations. $lat and $lon are strings with a dot ("55.599799"), $map links to Yandex Maps.

render-location =
    📍 { $address }
    { $map }
render-location-point =
    📍 Location: { $lat }, { $lon }
    { $map }
render-location-address = 📍 { $address }
render-location-unknown = 📍 Location — Avito sent no coordinates

## Calls

render-call-missed = 📞 Missed call
render-call-status = 📞 Call: { $status }
render-call = 📞 Call

## Avito service messages (Avito chat bots). $flow is the chat bot's id.

render-system = 🤖 Avito: { $text }
render-system-flow = 🤖 Avito: service message ({ $flow })
render-system-empty = 🤖 Avito: service message

## Deleted and unsupported

render-deleted = 🗑 Message deleted
render-file = 📎 File — the Avito API does not pass files on, open the chat in the Avito app
render-video = 📎 Video — the Avito API does not pass videos on, open the chat in the Avito app
render-app-call = 📞 Call via Avito — details are only in the Avito app
render-unknown = A message of type “{ $type }” — Tuberry cannot show it yet. Open the chat in the Avito app.
render-broken = Could not show a message of type “{ $type }”. Open the chat in the Avito app.

## Prefixes

# Above a buyer's reply to a particular message. $text is the start of the quote.
render-quote = ↩ In reply to: { $text }
# Above a message the seller wrote in the Avito app, not through Tuberry.
render-from-app = Sent from the Avito app:
# Copy of the auto-reply in the topic.
render-auto-reply =
    Auto-reply sent:
    { $text }

# Above each of several buyer messages sent as one Telegram message (the group's Telegram limit was spent).
# $time: 14:05, or 02.12 14:05 for another day; $sender: the buyer's name.
render-part-header = 🕓 { $time } · { $sender }
# $sender when the buyer has no name.
render-part-buyer = Buyer

## Dialog card (the first message of a topic, pinned)

render-card-item = Listing: { $value }
render-card-price = Price: { $value }
render-card-link = Link: { $value }
render-card-buyer = Buyer: { $value }

## When we open — the value of the {next_open} auto-reply variable:
## "We will answer {next_open}" → "We will answer tomorrow at 09:00".
## $when: today, tomorrow, week, never; $weekday: 0 Monday … 6 Sunday.

render-next-open =
    { $when ->
        [today] today at { $time }
        [tomorrow] tomorrow at { $time }
        [never] later
       *[week]
            { $weekday ->
                [0] on Monday
                [1] on Tuesday
                [2] on Wednesday
                [3] on Thursday
                [4] on Friday
                [5] on Saturday
               *[6] on Sunday
            } at { $time }
    }
