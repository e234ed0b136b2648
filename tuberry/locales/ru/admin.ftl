# Команды администратора в мастер-боте (только ADMIN_IDS).

admin-totals =
    <b>Tuberry — администрирование</b>
    Кабинетов: { $workspaces } (заблокировано: { $blocked })
    Ботов: { $bots_active } работают из { $bots } подключённых
    Аккаунтов Авито: { $accounts_active } активны · { $accounts_paused } на паузе · { $accounts_error } остановлены ошибкой
    Диалогов: { $dialogs }
    Сообщений за 24 ч: { $messages_in } входящих · { $messages_out } исходящих
    Сбоев доставки за 24 ч: { $failed }
    Очередь задач: { $queue }
    Наибольшее отставание опроса: { $lag }
    Опрашиваемых аккаунтов без единого успешного опроса: { $never_polled }

    /workspaces [страница] · /workspace &lt;id&gt; · /block &lt;id&gt; [причина] · /unblock &lt;id&gt;
admin-queue-unknown = неизвестно (Redis не отвечает)
admin-lag-none = нет (ни одного успешного опроса пока не было)
admin-duration-s = { $s } с
admin-duration-m = { $m } мин { $s } с
admin-duration-h = { $h } ч { $m } мин
admin-duration-d = { $d } д { $h } ч

admin-workspaces-title = <b>Кабинеты</b> · страница { $page } из { $pages } · всего { $total }
admin-workspaces-empty = Кабинетов пока нет.
admin-workspaces-line = <b>#{ $id }</b> · <code>{ $owner_id }</code> { $name } · ботов: { $bots } · аккаунтов: { $accounts }
admin-blocked-mark = ⛔ заблокирован
admin-workspaces-hint = Подробнее: /workspace &lt;id&gt;
admin-page-prev = ◀
admin-page-next = ▶

admin-workspace =
    <b>Кабинет #{ $id }</b>
    Владелец: <code>{ $owner_id }</code> { $name }
    Создан: { $created }
    Состояние: { $status }
    Диалогов: { $dialogs }
    Сообщений за 24 ч: { $messages_in } входящих · { $messages_out } исходящих
admin-status-active = ✅ работает
admin-status-blocked = ⛔ заблокирован. Причина: { $reason }
admin-no-reason = не указана
admin-bots-title = <b>Боты</b>
admin-bot-line = @{ $username } · { $status } · { $group }
admin-group-bound = группа «{ $title }»
admin-group-none = группа не подключена
admin-accounts-title = <b>Аккаунты Авито</b>
admin-account-line = { $name } · { $status } · последний опрос: { $last_poll } · последний успешный: { $last_success } · последняя ошибка: { $error }
admin-no-error = нет
admin-audit-title = <b>Последние действия</b>
admin-audit-line = { $when } · <code>{ $action }</code> · кто: <code>{ $actor }</code>
admin-none = нет

admin-usage-workspaces = Формат: /workspaces [страница], например /workspaces 2
admin-usage-workspace = Формат: /workspace &lt;id&gt;, например /workspace 12 (номера — в /workspaces)
admin-usage-block = Формат: /block &lt;id&gt; [причина], например /block 12 спам покупателям
admin-usage-unblock = Формат: /unblock &lt;id&gt;, например /unblock 12
admin-not-found = Кабинета #{ $id } нет. Список — в /workspaces.
admin-blocked = ⛔ Кабинет #{ $id } заблокирован. Причина: { $reason }
admin-block-already = Кабинет #{ $id } уже заблокирован. Причина: { $reason }
admin-unblocked = ✅ Кабинет #{ $id } разблокирован: его боты и аккаунты снова работают.
admin-unblock-not-blocked = Кабинет #{ $id } не заблокирован.
admin-bots-stopped = Остановлено ботов в этом процессе: { $count }.
admin-bots-started = Запущено ботов в этом процессе: { $count }.
admin-receivers-elsewhere = Клиентские боты принимают обновления в другом процессе: он учтёт изменение при следующей синхронизации.
admin-owner-told = Владелец уведомлён.
admin-owner-not-told = ⚠️ Не удалось написать владельцу (возможно, он заблокировал мастер-бота).

admin-owner-blocked =
    ⛔ Ваш кабинет Tuberry заблокирован администратором. Сообщения между Авито и вашей Telegram-группой больше не пересылаются.
    Причина: { $reason }
admin-owner-unblocked = ✅ Ваш кабинет Tuberry разблокирован: сообщения между Авито и вашей Telegram-группой снова пересылаются.
