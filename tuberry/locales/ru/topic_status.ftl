# /close in a dialog topic, and the cabinet's choice of topic status icons.

topic-closed = 🔒 Тема закрыта. Новое сообщение покупателя откроет её снова.

menu-topic-icons = 🏷 Иконки тем
icons-title = <b>Иконки тем</b>
icons-intro = Иконка темы показывает её состояние: покупатель ждёт ответа, ему ответили или тема закрыта (/close). Новая иконка появится у темы при следующей смене состояния.
icons-line = { $status }: { $emoji }
icons-default = { $emoji } (по умолчанию)
icons-default-none = без иконки (по умолчанию)
icons-status-waiting = Ждёт ответа
icons-status-answered = Отвечено
icons-status-closed = Закрыта
icons-pick = Иконка для состояния «{ $status }». Сейчас: { $current }
icons-reset = ↩️ По умолчанию
icons-unavailable = Telegram сейчас не отдаёт набор иконок тем. Попробуйте чуть позже.
