# Commands in a dialog's topic (/block, /note, /q, /help) and quick replies through @bot.

tc-help =
    <b>Commands in a buyer's topic</b>
    /block [reason] — block the buyer on Avito (reason: spam, fraud, insults or other)
    /close — close the topic: the conversation is over
    /note text — a note for colleagues: pinned in the topic, the buyer never sees it
    /q title — send the buyer a quick reply; /q alone lists them
    /help — this help
    Quick replies can be picked this way too: type @{ $bot } and a word of the title in the topic.
tc-reason-spam = spam
tc-reason-fraud = fraud
tc-reason-insult = insults
tc-reason-other = other
tc-blocked = 🚫 The buyer is blocked on Avito: { $name } can no longer write to this account. Reason: { $reason }.
tc-block-no-buyer = ❌ This chat has no buyer to block.
tc-block-refused = ❌ Avito did not block the buyer: { $error }
tc-note-usage = Write the note after the command: <code>/note call back after 6 pm</code>. The buyer will not see it.
tc-note =
    📝 <b>Note from { $name }</b>
    { $text }
tc-note-not-pinned = Could not pin the note: give the bot the right to pin messages.
tc-q-list =
    Quick replies — send <code>/q title</code>:
    { $list }
tc-q-none = No quick replies yet: the owner adds them in Tuberry → "Quick replies".
tc-q-unknown =
    ❌ There is no quick reply "{ $title }". There are:
    { $list }
tc-q-not-relayed = ❌ Not sent: your replies do not go to buyers — you are not on the managers list (/managers).
tc-inline-for = 👤 { $name }: { $text }
tc-inline-other-dialog = ⚠️ Not sent: this quick reply was filled for another buyer ({ $name }) — Telegram does not tell the bot in which topic it is chosen. Pick the reply again: it is now filled for this topic.
