# Admin commands in the master bot (ADMIN_IDS only).

admin-totals =
    <b>Tuberry — admin</b>
    Workspaces: { $workspaces } (blocked: { $blocked })
    Bots: { $bots_active } running of { $bots } connected
    Avito accounts: { $accounts_active } active · { $accounts_paused } paused · { $accounts_error } stopped by an error
    Dialogs: { $dialogs }
    Messages in 24 h: { $messages_in } in · { $messages_out } out
    Failed messages in 24 h: { $failed }
    Queue depth: { $queue }
    Oldest poll lag: { $lag }
    Polled accounts never polled successfully: { $never_polled }

    /workspaces [page] · /workspace &lt;id&gt; · /block &lt;id&gt; [reason] · /unblock &lt;id&gt;
admin-queue-unknown = unknown (Redis is not answering)
admin-lag-none = none (no account polled successfully yet)
admin-duration-s = { $s } s
admin-duration-m = { $m } min { $s } s
admin-duration-h = { $h } h { $m } min
admin-duration-d = { $d } d { $h } h

admin-workspaces-title = <b>Workspaces</b> · page { $page } of { $pages } · { $total } in all
admin-workspaces-empty = No workspaces yet.
admin-workspaces-line = <b>#{ $id }</b> · <code>{ $owner_id }</code> { $name } · bots: { $bots } · accounts: { $accounts }
admin-blocked-mark = ⛔ blocked
admin-workspaces-hint = Details: /workspace &lt;id&gt;
admin-page-prev = ◀
admin-page-next = ▶

admin-workspace =
    <b>Workspace #{ $id }</b>
    Owner: <code>{ $owner_id }</code> { $name }
    Created: { $created }
    Status: { $status }
    Dialogs: { $dialogs }
    Messages in 24 h: { $messages_in } in · { $messages_out } out
admin-status-active = ✅ active
admin-status-blocked = ⛔ blocked. Reason: { $reason }
admin-no-reason = not given
admin-bots-title = <b>Bots</b>
admin-bot-line = @{ $username } · { $status } · { $group }
admin-group-bound = group “{ $title }”
admin-group-none = no group bound
admin-accounts-title = <b>Avito accounts</b>
admin-account-line = { $name } · { $status } · last poll: { $last_poll } · last success: { $last_success } · last error: { $error }
admin-no-error = none
admin-audit-title = <b>Recent actions</b>
admin-audit-line = { $when } · <code>{ $action }</code> · by <code>{ $actor }</code>
admin-none = none

admin-usage-workspaces = Usage: /workspaces [page], for example /workspaces 2
admin-usage-workspace = Usage: /workspace &lt;id&gt;, for example /workspace 12 (ids are in /workspaces)
admin-usage-block = Usage: /block &lt;id&gt; [reason], for example /block 12 spam to buyers
admin-usage-unblock = Usage: /unblock &lt;id&gt;, for example /unblock 12
admin-not-found = Workspace #{ $id } doesn't exist. See /workspaces.
admin-blocked = ⛔ Workspace #{ $id } is blocked. Reason: { $reason }
admin-block-already = Workspace #{ $id } is already blocked. Reason: { $reason }
admin-unblocked = ✅ Workspace #{ $id } is unblocked: its bots and accounts work again.
admin-unblock-not-blocked = Workspace #{ $id } isn't blocked.
admin-bots-stopped = Bots stopped in this process: { $count }.
admin-bots-started = Bots started in this process: { $count }.
admin-receivers-elsewhere = Client bots receive in another process: it picks the change up at its next sync.
admin-owner-told = The owner has been told.
admin-owner-not-told = ⚠️ Couldn't message the owner (they may have blocked the master bot).

admin-owner-blocked =
    ⛔ Your Tuberry cabinet has been blocked by the administrator. Messages between Avito and your Telegram group are no longer relayed.
    Reason: { $reason }
admin-owner-unblocked = ✅ Your Tuberry cabinet has been unblocked: messages between Avito and your Telegram group are relayed again.
