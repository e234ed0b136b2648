# Оповещения «покупатель ждёт ответа» (jobs/waiting_alerts.py) и окно «Ожидание ответа» в кабинете.
# Тексты в группу — HTML; $mentions, $buyer, $item уже экранированы.

## В теме диалога и в общей теме группы

# $waited: «17 мин», «1 ч 5 мин»; $mentions: менеджеры ссылками-упоминаниями.
waiting-alert = ⏰ Покупатель ждёт ответа уже { $waited }. { $mentions }
# Когда имя менеджера неизвестно.
waiting-manager = менеджер
waiting-digest-title = ⏰ <b>Ждут ответа: { $count }</b>
# $buyer — ссылка на тему, $item — объявление.
waiting-digest-line = • { $buyer } · { $item } — { $waited }
waiting-digest-more = …и ещё { $count }
waiting-digest-buyer = Покупатель
waiting-digest-no-item = без объявления

## Длительности ожидания

waiting-dur-m = { $m } мин
waiting-dur-h = { $h } ч
waiting-dur-hm = { $h } ч { $m } мин
waiting-dur-d = { $d } д
waiting-dur-dh = { $d } д { $h } ч

## Кабинет: окно «Ожидание ответа»

menu-waiting = ⏰ Ожидание ответа
waiting-title = ⏰ <b>Ожидание ответа</b>
waiting-state =
    { $state ->
        [yes] Оповещения включены: если покупатель ждёт ответа дольше { $minutes } мин в рабочее время, бот напишет в тему диалога и упомянет менеджеров, а в общую тему группы — сводку.
       *[no] Оповещения выключены.
    }
waiting-hint = <i>Рабочее время — расписание из раздела «Автоответ». Ночью, после автоответа и в закрытых темах бот не беспокоит.</i>
waiting-btn-on = Включить
waiting-btn-off = Выключить
waiting-btn-minutes = { $minutes } мин
waiting-btn-type = Своё значение
waiting-minutes-prompt = Через сколько минут ожидания напомнить? Отправьте число от { $min } до { $max }.
waiting-saved-minutes = ✅ Напомним через { $minutes } мин ожидания.
waiting-saved-on = ✅ Оповещения включены.
waiting-saved-off = ✅ Оповещения выключены.
waiting-error-minutes = «{ $text }» — не подходит. Отправьте целое число минут от { $min } до { $max }, например 20.
