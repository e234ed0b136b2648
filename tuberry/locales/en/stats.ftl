# The Stats screen. A period is whole local calendar days, today included.

stats-title =
    📊 <b>Stats { $span }</b>
    Since { $since } until now · time zone { $zone }
stats-span-1 = for today
stats-span-7 = for the last 7 days
stats-span-30 = for the last 30 days
stats-period-1 = Today
stats-period-7 = 7 days
stats-period-30 = 30 days
stats-empty =
    📊 <b>Stats</b>
    No data yet: connect an Avito account under “Avito accounts” — figures appear with the first buyer messages.
stats-quiet = No messages in this period.
stats-block =
    <b>{ $name }</b>
    New dialogs: { $new }
    Messages from buyers: { $incoming }
    Human replies: { $outgoing }
    Auto-replies: { $auto }
    First response: median { $median }, p90 { $p90 }
    Waiting for an answer now: { $waiting }{ $oldest }
stats-waiting-oldest = , the longest for { $waited }
stats-total = Total
stats-legend = <i>Human replies are managers in Telegram and the seller in the Avito app; first-response time counts only them, an auto-reply is not an answer. “Waiting” dialogs are open ones whose buyer has no human answer yet, off-hours and after an auto-reply included; “the longest” is the longest of those waits.</i>
stats-chart = 📈 Chart by day
stats-chart-empty = No messages in this period — nothing to chart.
stats-chart-title = Messages per day { $span } ({ $zone })
stats-chart-caption = 📈 Messages per day { $span }, time zone { $zone }.
stats-chart-in = From buyers
stats-chart-out = Human replies
stats-chart-auto = Auto-replies

## Durations: "45 s", "4 min", "1 h 20 min", "2 d 3 h"; a dash when there is nothing to measure.

stats-none = —
stats-dur-s = { $s } s
stats-dur-m = { $m } min
stats-dur-h = { $h } h
stats-dur-hm = { $h } h { $m } min
stats-dur-d = { $d } d
stats-dur-dh = { $d } d { $h } h
