# Who answers buyers: the bot's list of managers (in the group: /manager in reply; in the cabinet: the bot's card).

## In the group

managers-only-owner = ⛔ Only the bot's owner in Tuberry chooses who answers buyers.
managers-not-bound = ❌ This group is not connected to the bot. Send /bind here first, then choose managers.
managers-usage =
    How to choose who answers buyers:
    • reply to a member's message with /manager: their replies in topics will go to Avito;
    • reply with /manager remove: take them off the list;
    • /managers: show the list.
    While the list is empty, every member's replies go to Avito.
managers-not-a-person = ❌ That is a bot's message. Reply with /manager to a person's message.
managers-added = ✅ { $name } now answers buyers.
managers-added-first = From now on only the listed managers' replies go to Avito. Other members may discuss in topics: the buyer will not see their messages.
managers-owner-not-listed = You are not on the list: to answer buyers yourself, reply /manager to your own message.
managers-already = { $name } is already on the list of managers.
managers-removed = ✅ { $name } no longer answers buyers: their messages in topics stay in the group.
managers-removed-last = The list is empty: every member's replies go to Avito again.
managers-not-listed = { $name } is not on the list of managers.
managers-list-everyone =
    Right now <b>every member of the group</b> may answer buyers.
    To let only managers answer, reply to a person's message with /manager.
managers-list-only =
    Only the listed managers answer buyers ({ $count }):
    { $list }
    Add: /manager in reply to a message; remove: /manager remove.
managers-list-item = • { $name } — <code>{ $id }</code>
managers-list-item-unnamed = • <code>{ $id }</code>

## Cabinet

managers-button = 👥 Managers
managers-card-everyone = Who answers buyers: every member of the group.
managers-card-only = Who answers buyers: only the listed managers ({ $managers }).
managers-title = <b>Who answers buyers through @{ $username }</b>
managers-mode-everyone = Now: <b>every member of the group</b>; each reply in a topic goes to the buyer.
managers-mode-only =
    Now: <b>only these people</b> ({ $count }):
    { $list }
    Other members' messages stay in the group and do not go to Avito.
managers-owner-not-listed-cabinet = ⚠️ You are not on the list: your own replies in topics do not reach buyers either. To answer yourself, reply /manager to your own message in the group.
managers-how-to-add =
    <b>How to add a manager</b>
    In the group “{ $group }”, reply to any message of that person with <code>/manager</code>. Remove: <code>/manager remove</code> in reply; list: <code>/managers</code>.
    Telegram does not let bots find people by @username, so they are added from the group.
managers-no-group = No group connected yet. Connect it on the bot's card: managers are chosen with commands in the group.
managers-remove-hint = Tap a person to take them off the list.
managers-remove-item = ✖ { $name }
managers-allow-everyone = 🔓 Allow everyone
managers-clear-confirm =
    Let every member of the group answer buyers?
    The list of managers ({ $count }) will be cleared.
managers-clear-yes = Yes, allow everyone
managers-cleared = ✅ Every member of the group may answer buyers now.
managers-removed-notice = ✅ { $name } is no longer on the list of managers.
managers-removed-notice-last = ✅ { $name } is no longer on the list. The list is empty: every member of the group may answer buyers now.
