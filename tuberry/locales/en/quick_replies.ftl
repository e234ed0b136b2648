# Cabinet: quick replies (templates for managers).

menu-quick-replies = ⚡ Quick replies
qr-title =
    <b>⚡ Quick replies</b>
    Ready answers for managers. In a buyer's topic: <code>/q title</code>, or @bot_name and a word of the title — the answer goes to the buyer with the details filled in. To pick them through @bot, switch its inline mode on in @BotFather (/setinline).
qr-empty = None yet. Press "Add".
qr-btn-add = ➕ Add
qr-btn-edit = ✏️ Edit text
qr-btn-delete = 🗑 Delete
qr-ask-title = What is the answer called? Short, e.g. <code>address</code> or <code>delivery</code> (up to { $limit } characters).
qr-ask-text =
    The text of "{ $title }". You can use:
    {"{buyer_name}"} — the buyer's name, {"{item_title}"} — the listing, {"{item_price}"} — its price, {"{item_url}"} — its link, {"{next_open}"} — when you are back.
qr-ask-new-text =
    The new text of "{ $title }". Now:
    { $text }
qr-card =
    <b>"{ $title }"</b>
    { $text }
qr-added = ✅ The answer "{ $title }" is added.
qr-saved = ✅ The text is saved.
qr-deleted = ✅ The answer is deleted.
qr-delete-confirm = Delete the answer "{ $title }"?
qr-delete-yes = Delete
qr-error-not-text = ❌ Please send text.
qr-title-empty = ❌ The title is empty — write a word or two.
qr-title-too_long = ❌ The title is too long: at most { $limit } characters.
qr-title-duplicate = ❌ There is an answer with this title already — choose another.
qr-text-rejected = ❌ The text is not saved:
qr-problem-empty = the text is empty — write what to answer the buyer.
qr-problem-unknown_variable = unknown variable <code>{"{"}{ $variable }{"}"}</code>. Allowed: {"{buyer_name}"}, {"{item_title}"}, {"{item_price}"}, {"{item_url}"}, {"{next_open}"}.
qr-problem-unbalanced_braces = a brace without its pair (character { $position }). Double a brace to keep it: {"{{"} or {"}}"}.
qr-problem-too_long = the text is too long: with the values filled in it may reach { $length } characters, and Avito takes at most { $limit }.
