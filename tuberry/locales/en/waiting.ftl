# "The buyer is waiting" alerts (jobs/waiting_alerts.py) and the cabinet's "Waiting alerts" window.
# Texts into the group are HTML; $mentions, $buyer, $item come escaped.

## In the dialog's topic and in the group's General topic

# $waited: "17 min", "1 h 5 min"; $mentions: the managers as mentions.
waiting-alert = ⏰ The buyer has been waiting { $waited }. { $mentions }
# When a manager's name is unknown.
waiting-manager = manager
waiting-digest-title = ⏰ <b>Waiting for an answer: { $count }</b>
# $buyer links to the topic, $item is the listing.
waiting-digest-line = • { $buyer } · { $item } — { $waited }
waiting-digest-more = …and { $count } more
waiting-digest-buyer = Buyer
waiting-digest-no-item = no listing

## Waiting times

waiting-dur-m = { $m } min
waiting-dur-h = { $h } h
waiting-dur-hm = { $h } h { $m } min
waiting-dur-d = { $d } d
waiting-dur-dh = { $d } d { $h } h

## Cabinet: the "Waiting alerts" window

menu-waiting = ⏰ Waiting alerts
waiting-title = ⏰ <b>Waiting alerts</b>
waiting-state =
    { $state ->
        [yes] Alerts are on: when a buyer waits longer than { $minutes } min during working hours, the bot writes in the dialog's topic mentioning the managers, and posts a digest in the group's General topic.
       *[no] Alerts are off.
    }
waiting-hint = <i>Working hours are the schedule of the Auto-reply section. No alerts at night, after an auto-reply or in closed topics.</i>
waiting-btn-on = Turn on
waiting-btn-off = Turn off
waiting-btn-minutes = { $minutes } min
waiting-btn-type = Other value
waiting-minutes-prompt = After how many minutes of waiting should we alert? Send a number from { $min } to { $max }.
waiting-saved-minutes = ✅ We will alert after { $minutes } min of waiting.
waiting-saved-on = ✅ Alerts are on.
waiting-saved-off = ✅ Alerts are off.
waiting-error-minutes = "{ $text }" will not do. Send a whole number of minutes from { $min } to { $max }, e.g. 20.
