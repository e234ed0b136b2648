# Messages from the master bot to an owner when something stopped and needs them.

alert-account-stopped =
    ⚠️ Avito account “{ $name }” is no longer polled: { $reason }
    Buyers' messages will not be lost: Tuberry picks them up once access is back.
    Open the account card: { $link }
