# mail: die Texte der Mails (auth-core/src/mail/templates), in der Sie-Form.

## Von mehreren Mails geteilt

mail-hello = Hallo,
mail-button-fallback = Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:
mail-nothing-to-do = Wenn Sie das waren, müssen Sie nichts tun.
mail-reset-my-password = Mein Passwort zurücksetzen
mail-reset-now = Wenn Sie das nicht waren, setzen Sie jetzt Ihr Passwort zurück.
mail-reset-now-link = Wenn Sie das nicht waren, setzen Sie jetzt Ihr Passwort zurück:
mail-sign-in = Anmelden
mail-code-instead = Lesen Sie dies auf einem anderen Gerät oder nutzen Sie eine App? Geben Sie stattdessen diesen Code ein:
mail-code-valid = Der Code ist { $duration } lang gültig und funktioniert nur einmal.
mail-code-valid-short = Er ist { $duration } lang gültig und funktioniert nur einmal.

## Wie lange ein Link oder Code gültig ist

mail-minutes = { $count ->
    [one] { $count } Minute
   *[other] { $count } Minuten
}
mail-hours = { $count ->
    [one] { $count } Stunde
   *[other] { $count } Stunden
}
mail-days = { $count ->
    [one] { $count } Tag
   *[other] { $count } Tage
}

## Die Adresse eines neuen Kontos bestätigen

mail-verification-subject = Bestätigen Sie Ihre E-Mail-Adresse für { $app }
mail-verification-title = Bestätigen Sie Ihre E-Mail-Adresse
mail-verification-intro = Bitte bestätigen Sie, dass { $email } Ihre E-Mail-Adresse für { $app } ist.
mail-verification-intro-link = Bitte bestätigen Sie, dass { $email } Ihre E-Mail-Adresse für { $app } ist, indem Sie diesen Link öffnen:
mail-verification-button = E-Mail-Adresse bestätigen
mail-verification-valid = Der Link ist { $duration } lang gültig. Wenn Sie kein Konto angelegt haben, können Sie diese Nachricht ignorieren.

## Das Passwort zurücksetzen

mail-password_reset-subject = Setzen Sie Ihr Passwort für { $app } zurück
mail-password_reset-title = Setzen Sie Ihr Passwort zurück
mail-password_reset-intro = Jemand (hoffentlich Sie) hat darum gebeten, das Passwort des { $app }-Kontos für { $email } zurückzusetzen.
mail-password_reset-intro-link = Jemand (hoffentlich Sie) hat darum gebeten, das Passwort des { $app }-Kontos für { $email } zurückzusetzen. Um ein neues Passwort zu wählen, öffnen Sie diesen Link:
mail-password_reset-button = Neues Passwort wählen
mail-password_reset-valid = Der Link ist { $duration } lang gültig und funktioniert nur einmal. Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt, wie es ist.

## Eine neue Adresse bestätigen

mail-email_change-subject = Bestätigen Sie Ihre neue E-Mail-Adresse für { $app }
mail-email_change-title = Bestätigen Sie Ihre neue E-Mail-Adresse
mail-email_change-intro = Bitte bestätigen Sie, dass { $new_email } die E-Mail-Adresse Ihres { $app }-Kontos werden soll. Bis dahin behält Ihr Konto seine bisherige Adresse.
mail-email_change-intro-link = Bitte bestätigen Sie, dass { $new_email } die E-Mail-Adresse Ihres { $app }-Kontos werden soll, indem Sie diesen Link öffnen:
mail-email_change-button = Neue Adresse bestätigen
mail-email_change-valid = Der Link ist { $duration } lang gültig. Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht.
mail-email_change-valid-long = Der Link ist { $duration } lang gültig. Bis Sie ihn öffnen, behält Ihr Konto seine bisherige Adresse. Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht.

## Hinweis an die bisherige Adresse über eine angeforderte Änderung

mail-email_change_notice-subject = Für Ihr { $app }-Konto wurde eine Änderung der E-Mail-Adresse angefordert
mail-email_change_notice-title = Änderung der E-Mail-Adresse angefordert
mail-email_change_notice-body = Jemand hat sich bei Ihrem { $app }-Konto ({ $email }) angemeldet und darum gebeten, dessen E-Mail-Adresse zu ändern. Die Änderung wird erst wirksam, wenn der an die neue Adresse gesendete Link geöffnet wird.
mail-email_change_notice-action = Wenn Sie das nicht waren, ändern Sie jetzt Ihr Passwort:

## Das Passwort wurde geändert

mail-password_changed-subject = Ihr Passwort für { $app } wurde geändert
mail-password_changed-title = Ihr Passwort wurde geändert
mail-password_changed-body = Das Passwort Ihres { $app }-Kontos ({ $email }) wurde soeben geändert, und Ihre anderen Sitzungen wurden abgemeldet.

## Jemand wollte eine Adresse registrieren, die schon ein Konto hat

mail-account_exists-subject = Sie haben bereits ein { $app }-Konto
mail-account_exists-title = Sie haben bereits ein Konto
mail-account_exists-body = Jemand (hoffentlich Sie) wollte ein { $app }-Konto für { $email } anlegen, aber diese Adresse hat bereits ein Konto.
mail-account_exists-to-sign-in = Zum Anmelden:
mail-account_exists-forgot = Passwort vergessen?
mail-account_exists-reset-it = Zurücksetzen
mail-account_exists-ignore-short = Wenn Sie das nicht waren, ignorieren Sie diese Nachricht.
mail-account_exists-ignore = Wenn Sie das nicht waren, können Sie diese Nachricht ignorieren.

## Anmeldung in zwei Schritten

mail-second_factor_enabled-subject = Die Anmeldung in zwei Schritten ist für Ihr { $app }-Konto eingeschaltet
mail-second_factor_enabled-title = Die Anmeldung in zwei Schritten ist eingeschaltet
mail-second_factor_enabled-body = Ihrem { $app }-Konto ({ $email }) wurde eine Authenticator-App hinzugefügt: Zum Anmelden ist nach dem Passwort nun ein Code daraus (oder einer Ihrer Wiederherstellungscodes) nötig.
mail-second_factor_disabled-subject = Die Anmeldung in zwei Schritten wurde für Ihr { $app }-Konto ausgeschaltet
mail-second_factor_disabled-title = Die Anmeldung in zwei Schritten wurde ausgeschaltet
mail-second_factor_disabled-body = Die Authenticator-App Ihres { $app }-Kontos ({ $email }) wurde entfernt: Zum Anmelden genügt nun das Passwort.
mail-second_factor_disabled-action = Wenn Sie das nicht waren, setzen Sie jetzt Ihr Passwort zurück und schalten Sie die Anmeldung in zwei Schritten wieder ein:
mail-recovery_code_used-subject = Für Ihr { $app }-Konto wurde ein Wiederherstellungscode verwendet
mail-recovery_code_used-title = Ein Wiederherstellungscode wurde verwendet
mail-recovery_code_used-body = Jemand hat sich bei Ihrem { $app }-Konto ({ $email }) mit einem seiner Wiederherstellungscodes statt mit einem Code aus der Authenticator-App angemeldet. Dieser Wiederherstellungscode kann nicht noch einmal verwendet werden.
mail-second_factor_reset-subject = Ein Administrator hat die Anmeldung in zwei Schritten für Ihr { $app }-Konto ausgeschaltet
mail-second_factor_reset-title = Ein Administrator hat die Anmeldung in zwei Schritten ausgeschaltet
mail-second_factor_reset-body = Ein Administrator von { $app } hat die Authenticator-App Ihres Kontos ({ $email }) entfernt, meist weil sie verloren ging: Zum Anmelden genügt nun das Passwort. Fügen Sie in Ihren Kontoeinstellungen wieder eine App hinzu.
mail-second_factor_reset-action = Wenn Sie das nicht angefordert haben, setzen Sie jetzt Ihr Passwort zurück:

## Anmeldedienste

mail-identity_linked-subject = Ein Anmeldedienst wurde mit Ihrem { $app }-Konto verknüpft
mail-identity_linked-heading = Ein Anmeldedienst wurde mit Ihrem Konto verknüpft
mail-identity_linked-title = Ein Anmeldedienst wurde verknüpft
mail-identity_linked-body = { $provider } wurde soeben mit Ihrem { $app }-Konto ({ $email }) verknüpft: Sie können sich nun damit anmelden.
mail-identity_linked-advice = Wenn Sie das nicht waren, melden Sie sich an, lösen Sie die Verknüpfung auf Ihrer Kontoseite und setzen Sie Ihr Passwort zurück.
mail-identity_linked-action = Wenn Sie das nicht waren, melden Sie sich an, lösen Sie die Verknüpfung auf Ihrer Kontoseite und setzen Sie Ihr Passwort zurück:
mail-identity_unlinked-subject = Ein Anmeldedienst wurde von Ihrem { $app }-Konto getrennt
mail-identity_unlinked-heading = Ein Anmeldedienst wurde von Ihrem Konto getrennt
mail-identity_unlinked-title = Ein Anmeldedienst wurde getrennt
mail-identity_unlinked-body = { $provider } wurde soeben von Ihrem { $app }-Konto ({ $email }) getrennt: Sie können sich nicht mehr damit anmelden.
mail-identity_unlinked-if-it-was = Wenn Sie es waren, müssen Sie nichts tun.

## Anmeldung per Mail

mail-sign_in_code-subject = Ihr Anmeldecode für { $app }
mail-sign_in_code-title = Ihr Anmeldecode
mail-sign_in_code-body = Jemand (hoffentlich Sie) wollte sich per E-Mail beim { $app }-Konto für { $email } anmelden. Ihr Anmeldecode lautet:
mail-sign_in_code-or-link = Oder öffnen Sie diesen Link, um sich anzumelden:
mail-sign_in_code-valid = Der Code und der Link sind { $duration } lang gültig, und beide funktionieren nur einmal. Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ohne sie kann sich niemand anmelden.
