# /close in a dialog topic, and the cabinet's choice of topic status icons.

topic-closed = 🔒 Topic closed. The buyer's next message opens it again.

menu-topic-icons = 🏷 Topic icons
icons-title = <b>Topic icons</b>
icons-intro = A topic's icon shows where it stands: the buyer waits for an answer, has been answered, or the topic is closed (/close). A topic takes a new icon at its next change.
icons-line = { $status }: { $emoji }
icons-default = { $emoji } (default)
icons-default-none = no icon (default)
icons-status-waiting = Waiting
icons-status-answered = Answered
icons-status-closed = Closed
icons-pick = Icon for “{ $status }”. Now: { $current }
icons-reset = ↩️ Default
icons-unavailable = Telegram does not give out the topic icon set right now. Please try again a little later.
