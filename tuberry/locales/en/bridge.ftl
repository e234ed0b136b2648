# Texts of the Avito ↔ Telegram bridge in the seller's group topics.

bridge-topic-fallback = Avito chat
bridge-undeliverable =
    ⚠️ Telegram did not accept the attachment, here it is as text:
    { $body }
bridge-only-text-and-images = Avito accepts only text and images: this message was not sent.
bridge-send-failed = ❌ Not delivered to Avito: { $reason }
bridge-send-failed-access = the key has no access to Avito Messenger (use the company's main account and a tariff with Messenger).
bridge-send-failed-rejected = Avito rejected the message ({ $detail }).
bridge-send-failed-unavailable = Avito has not answered for a long time; please try again later.
client-getid = Chat ID: <code>{ $chat }</code>
client-getid-topic =
    Chat ID: <code>{ $chat }</code>
    Topic ID: <code>{ $thread }</code>
