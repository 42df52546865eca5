# German pages: the same ids and placeholders as the English catalogue (en/pages.ftl), whose
# comments describe them.

## The name of the language, in itself (the language switch in the footer shows it).
language-name = Deutsch

## common

common-email = E-Mail
common-confirmed = bestätigt
common-not-confirmed = nicht bestätigt
common-username = Benutzername
common-roles = Rollen
common-two-step-sign-in = Zweistufige Anmeldung
common-on = an
common-make-new-ones = neue erstellen
common-off = aus
common-turn-on-two-step-sign = Zweistufige Anmeldung einschalten
common-profile = Profil
common-api-keys = API-Schlüssel
common-name = Name
common-created = Erstellt
common-last-used = Zuletzt verwendet
common-action = Aktion
common-none = keine
common-never = nie
common-delete-account = Konto löschen
common-current-password = Aktuelles Passwort
common-sign-in-providers = Anmeldedienste
common-password = Passwort
common-email-address = E-Mail-Adresse
common-passkeys = Passkeys
common-actions = Aktionen
common-new-password = Neues Passwort
common-confirm-new-password = Neues Passwort bestätigen
common-status = Status
common-account = Konto
common-cancel = Abbrechen
common-code-from-your-app = Code aus Ihrer App
common-device = Gerät
common-last-active = Zuletzt aktiv
common-ip-address = IP-Adresse
common-unknown-device = Unbekanntes Gerät
common-sign-out = Abmelden
common-all-users = ← Alle Benutzer
common-undelivered-mail = Nicht zugestellte E-Mails
common-webhook-deliveries = Webhook-Zustellungen
common-previous = Zurück
common-next = Weiter
common-disabled = gesperrt
common-active = aktiv
common-sign-in = Anmelden
common-create-account = Konto erstellen
common-keep-me-signed-in-on = Auf diesem Gerät angemeldet bleiben
common-email-me-a-sign-in = Stattdessen einen Anmeldecode per E-Mail senden
common-or = oder
common-email-or-username = E-Mail-Adresse oder Benutzername
common-sign-in-with-a-password = Mit Passwort anmelden
common-send-a-new-code = Neuen Code senden
common-code = Code
common-the-digits-from-the-email = Die Ziffern aus der E-Mail.
common-use-a-passkey = Passkey verwenden
common-back-to-sign-in = Zurück zur Anmeldung
common-set-new-password = Neues Passwort festlegen
common-confirm-your-email-address = Bestätigen Sie Ihre E-Mail-Adresse
common-confirm-my-email-address = Meine E-Mail-Adresse bestätigen

## account

account-your-account = Ihr Konto
account-member-since = Mitglied seit
account-send-a-new-confirmation-link = Neuen Bestätigungslink senden
account-a-code-from-your-authenticator = Nach Ihrem Passwort wird ein Code aus Ihrer Authenticator-App abgefragt. Noch { $recovery_codes_left } von 10 Wiederherstellungscodes übrig
account-your-password-alone-signs-you = Ihr Passwort allein meldet Sie an. Mit einer Authenticator-App ist ein gestohlenes Passwort allein nutzlos.
account-manage-two-step-sign-in = Zweistufige Anmeldung verwalten
account-picture = Bild
account-your-picture-is-shown-instead = Statt Ihrer Initialen wird Ihr Bild angezeigt.
account-your-initials-are-shown-until = Bis Sie ein Bild hochladen, werden Ihre Initialen angezeigt.
account-upload-a-picture = Bild hochladen
account-png-jpeg-or-webp-up = PNG, JPEG oder WebP, bis { $picture_limit }. Es wird quadratisch zugeschnitten, und nur seine Pixel werden gespeichert: kein Ort, keine Kamera, keine anderen Angaben.
account-upload-picture = Bild hochladen
account-remove-picture = Bild entfernen
account-save = Speichern
account-leave-empty-to-remove-it = Leer lassen, um ihn zu entfernen.

## account-api-keys

account-api-keys-your-new-api-key = Ihr neuer API-Schlüssel
account-api-keys-copy-it-now-this-is = Kopieren Sie ihn jetzt: Er wird nur dieses eine Mal angezeigt. Halten Sie ihn so geheim wie ein Passwort.
account-api-keys-programs-send-it-as = Programme senden ihn als
account-api-keys-keys-let-your-scripts-and = Mit Schlüsseln handeln Ihre Skripte und Programme für Sie, im Rahmen der gewählten Berechtigungen. Widerrufen Sie jeden Schlüssel, den Sie nicht mehr verwenden.
account-api-keys-your-api-keys = Ihre API-Schlüssel
account-api-keys-scopes = Berechtigungen
account-api-keys-expires = Läuft ab
account-api-keys-expired = abgelaufen
account-api-keys-from = von { $last_used_ip }
account-api-keys-revoke = Widerrufen
account-api-keys-revoke-all-keys = Alle Schlüssel widerrufen
account-api-keys-you-have-no-api-keys = Sie haben keine API-Schlüssel.
account-api-keys-create-a-key = Schlüssel erstellen
account-api-keys-this-site-declares-no-scopes = Diese Website kennt keine Berechtigungen: Ein Schlüssel kann Sie nur ausweisen.
account-api-keys-create-key = Schlüssel erstellen
account-api-keys-what-uses-it-such-as = Wofür er verwendet wird, etwa „Sicherungsskript“.

## account-delete

account-delete-this-removes-your-account-and = Damit werden Ihr Konto gelöscht und alle Geräte abgemeldet. Das lässt sich nicht rückgängig machen.
account-delete-delete-my-account = Mein Konto löschen

## account-email

account-email-change-email-address = E-Mail-Adresse ändern
account-email-your-address-is = Ihre Adresse ist
account-email-we-will-send-a-link = . Wir senden einen Link an die neue Adresse; die Änderung gilt, sobald Sie ihn öffnen.
account-email-send-confirmation-link = Bestätigungslink senden
account-email-new-email-address = Neue E-Mail-Adresse

## account-identities

account-identities-accounts-at-other-providers-you = Konten bei anderen Diensten, mit denen Sie sich anmelden können. Wir benachrichtigen Sie per E-Mail, wenn eines verknüpft oder getrennt wird.
account-identities-linked-providers = Verknüpfte Dienste
account-identities-provider = Dienst
account-identities-address = Adresse
account-identities-linked = Verknüpft
account-identities-verified = bestätigt
account-identities-unlink = Trennen
account-identities-this-is-your-only-way = Dies ist Ihre einzige Möglichkeit, sich anzumelden: Legen Sie ein Passwort fest (über „Passwort vergessen?“), fügen Sie einen Passkey hinzu oder verknüpfen Sie einen weiteren Dienst, bevor Sie ihn trennen.
account-identities-no-provider-is-linked-to = Mit Ihrem Konto ist kein Dienst verknüpft.
account-identities-link-another-provider = Weiteren Dienst verknüpfen
account-identities-you-will-sign-in-at = Sie melden sich beim Dienst an und kommen dann hierher zurück.
account-identities-link = { $label } verknüpfen

## account-layout

account-layout-devices = Geräte
account-layout-account-settings = Kontoeinstellungen

## account-passkeys

account-passkeys-a-passkey-signs-you-in = Ein Passkey meldet Sie per Fingerabdruck, Gesicht oder Bildschirmsperre statt mit Ihrem Passwort an: nichts zu tippen und nichts, was eine gefälschte Website stehlen kann. Nach Ihrem Passwort dient er auch als zweiter Schritt.
account-passkeys-your-passkeys = Ihre Passkeys
account-passkeys-synced = synchronisiert
account-passkeys-new-name-for = Neuer Name für { $name }
account-passkeys-rename = Umbenennen
account-passkeys-remove = Entfernen
account-passkeys-removing-a-passkey-asks-you = Zum Entfernen eines Passkeys bestätigen Sie, dass Sie es sind.
account-passkeys-your-password-still-signs-you = Ihr Passwort meldet Sie danach weiterhin an.
account-passkeys-your-last-way-to-sign = Ihre letzte Anmeldemöglichkeit bleibt: Fügen Sie einen weiteren Passkey hinzu, verknüpfen Sie einen Dienst oder legen Sie ein Passwort fest (über „Passwort vergessen?“), bevor Sie ihn entfernen.
account-passkeys-you-have-no-passkeys-yet = Sie haben noch keine Passkeys.
account-passkeys-add-a-passkey = Passkey hinzufügen
account-passkeys-adding-a-passkey-needs-a = Zum Hinzufügen eines Passkeys brauchen Sie einen Browser mit Passkey-Unterstützung und eingeschaltetem JavaScript.
account-passkeys-where-the-passkey-lives-such = Wo der Passkey gespeichert ist, etwa „MacBook Touch ID“ oder „Diensthandy“.

## account-password

account-password-change-password = Passwort ändern
account-password-your-other-devices-will-be = Ihre anderen Geräte werden abgemeldet.

## account-recovery-codes

account-recovery-codes-two-step-sign-in-is = Die zweistufige Anmeldung ist eingeschaltet.
account-recovery-codes-save-your-recovery-codes = Speichern Sie Ihre Wiederherstellungscodes
account-recovery-codes-if-you-lose-your-phone = Wenn Sie Ihr Telefon verlieren, meldet Sie jeder dieser Codes einmal an, statt eines Codes aus der App. Sie werden nur dieses eine Mal angezeigt: Laden Sie sie herunter oder schreiben Sie sie auf und bewahren Sie sie sicher auf.
account-recovery-codes-download-as-a-text-file = Als Textdatei herunterladen
account-recovery-codes-i-saved-them = Ich habe sie gespeichert

## account-second-factor

account-second-factor-on-signing-in-asks-for = An: Bei der Anmeldung wird nach Ihrem Passwort ein Code aus Ihrer Authenticator-App abgefragt.
account-second-factor-turned-on = Eingeschaltet
account-second-factor-recovery-codes-left = Übrige Wiederherstellungscodes
account-second-factor-of-10 = { $recovery_codes_left } von 10
account-second-factor-off-your-password-alone-signs = Aus: Ihr Passwort allein meldet Sie an.
account-second-factor-add-an-authenticator-app-such = Fügen Sie eine Authenticator-App hinzu (etwa Google Authenticator, Microsoft Authenticator, 1Password oder Aegis): Bei der Anmeldung wird dann auch der sechsstellige Code abgefragt, den sie anzeigt, sodass ein gestohlenes Passwort nicht genügt.
account-second-factor-set-up-an-authenticator-app = Authenticator-App einrichten
account-second-factor-recovery-codes = Wiederherstellungscodes
account-second-factor-each-recovery-code-signs-you = Jeder Wiederherstellungscode meldet Sie einmal an, wenn Sie Ihr Telefon verlieren. Neue Codes ersetzen alle alten.
account-second-factor-make-new-recovery-codes = Neue Wiederherstellungscodes erstellen
account-second-factor-turn-off-two-step-sign = Zweistufige Anmeldung ausschalten
account-second-factor-your-password-alone-will-sign = Dann meldet Sie wieder Ihr Passwort allein an. Wir informieren Sie per E-Mail darüber.
account-second-factor-current-code = Aktueller Code
account-second-factor-from-your-authenticator-app-or = Aus Ihrer Authenticator-App oder einer Ihrer Wiederherstellungscodes.

## account-second-factor-enrol

account-second-factor-enrol-set-up-two-step-sign = Zweistufige Anmeldung einrichten
account-second-factor-enrol-scan-this-qr-code-with = Scannen Sie diesen QR-Code mit Ihrer Authenticator-App.
account-second-factor-enrol-or-if-you-cannot-scan = Oder, wenn Sie nicht scannen können, fügen Sie ein Konto von Hand mit diesem Schlüssel hinzu:
account-second-factor-enrol-key = Schlüssel
account-second-factor-enrol-issuer = Aussteller
account-second-factor-enrol-type = Typ
account-second-factor-enrol-time-based-6-digits-every = zeitbasiert, 6 Ziffern, alle 30 Sekunden
account-second-factor-enrol-enter-the-code-the-app = Geben Sie zum Abschluss den Code ein, den die App jetzt anzeigt.
account-second-factor-enrol-enter-the-code-your-authenticator = Geben Sie den Code ein, den Ihre Authenticator-App jetzt für das eben hinzugefügte Konto anzeigt. QR-Code verloren? Beginnen Sie unten neu.
account-second-factor-enrol-start-again-with-a-new = Mit neuem QR-Code neu beginnen
account-second-factor-enrol-six-digits-nothing-changes-on = Sechs Ziffern. An Ihrem Konto ändert sich nichts, bis dieser Code stimmt.

## account-sessions

account-sessions-signed-in-devices = Angemeldete Geräte
account-sessions-sign-out-any-device-you = Melden Sie jedes Gerät ab, das Sie nicht kennen.
account-sessions-active-sessions = Aktive Sitzungen
account-sessions-signed-in = Angemeldet
account-sessions-this-device = dieses Gerät
account-sessions-remembered = gemerkt
account-sessions-sign-out-all-other-devices = Alle anderen Geräte abmelden

## admin-mail

admin-mail-every-message-was-delivered-or = Jede Nachricht wurde zugestellt oder wird noch versucht.
admin-mail-a-retried-message-goes-out = Eine erneut versuchte Nachricht geht mit dem nächsten Zustelldurchlauf hinaus; Links darin sind inzwischen vielleicht abgelaufen. Eine verworfene Nachricht wird endgültig gelöscht.
admin-mail-recipient = Empfänger
admin-mail-message-2 = Nachricht
admin-mail-attempts = Versuche
admin-mail-why = Grund
admin-mail-queued = Eingereiht
admin-mail-given-up = Aufgegeben
admin-mail-retry = Erneut versuchen
admin-mail-the-message-to = die Nachricht an { $to }
admin-mail-discard = Verwerfen
admin-mail-no-undelivered-mail = Keine nicht zugestellten E-Mails.

## admin-webhooks

admin-webhooks-nothing-was-sent-yet = Noch kein Webhook eingereiht, oder die zugestellten wurden bereits aufgeräumt.
admin-webhooks-a-retried-delivery-goes-out = Zustellungen werden mit wachsenden Pausen erneut versucht, bis die Versuche aufgebraucht sind; nur fehlgeschlagene warten auf Sie. Eine erneut versuchte Zustellung geht mit dem nächsten Zustelldurchlauf hinaus, neu signiert. Eine verworfene Zustellung wird endgültig gelöscht.
admin-webhooks-event = Ereignis
admin-webhooks-endpoint = Endpunkt
admin-webhooks-state = Status
admin-webhooks-attempts = Versuche
admin-webhooks-last-outcome = Letztes Ergebnis
admin-webhooks-queued = Eingereiht
admin-webhooks-next-attempt = Nächster Versuch
admin-webhooks-finished = beendet { $at }
admin-webhooks-retry = Erneut versuchen
admin-webhooks-discard = Verwerfen
admin-webhooks-the-delivery-of = die Zustellung von { $event } an { $url }
admin-webhooks-no-deliveries = Keine Webhook-Zustellungen.
admin-webhooks-state-pending = Ausstehend
admin-webhooks-state-delivered = Zugestellt
admin-webhooks-state-failed = Fehlgeschlagen

## admin-user

admin-user-id = ID
admin-user-locked = , vorübergehend gesperrt
admin-user-last-sign-in = Letzte Anmeldung
admin-user-on-since-recovery-codes-left = an seit { $enrolled_at }, noch { $recovery_codes_left } Wiederherstellungscodes
admin-user-save-roles = Rollen speichern
admin-user-save-profile = Profil speichern
admin-user-sessions = Sitzungen
admin-user-no-active-sessions = Keine aktiven Sitzungen.
admin-user-recent-activity = Letzte Aktivität
admin-user-event = Ereignis
admin-user-when = Wann
admin-user-nothing-recorded = Nichts aufgezeichnet.
admin-user-comma-separated-e-g-admin = Durch Kommas getrennt, z. B. admin, editor.

## admin-users

admin-users-users = Benutzer
admin-users-search-by-email-or-username = Nach E-Mail-Adresse oder Benutzername suchen
admin-users-search = Suchen
admin-users-locked = vorübergehend gesperrt
admin-users-unconfirmed = unbestätigt
admin-users-no-users-found = Keine Benutzer gefunden.

## base

base-skip-to-content = Zum Inhalt springen
base-signed-in-as = Angemeldet als
base-admin = Verwaltung

## email-confirm

email-confirm-confirm-your-new-address = Bestätigen Sie Ihre neue Adresse
email-confirm-confirm-to-make-this-the = Bestätigen Sie, um dies zur E-Mail-Adresse Ihres Kontos zu machen. Danach werden Sie auf allen Geräten abgemeldet; melden Sie sich mit der neuen Adresse wieder an.
email-confirm-confirm-new-address = Neue Adresse bestätigen
email-confirm-did-not-ask-for-this = Sie haben diese Änderung nicht angefordert? Schließen Sie diese Seite: Das Konto behält seine Adresse, solange Sie nicht auf die Schaltfläche drücken.

## error

error-go-to-the-home-page = Zur Startseite

## login

login-welcome-back-to = Willkommen zurück bei { $app_name }.
login-forgot-your-password = Passwort vergessen?
login-sign-in-with-a-passkey = Mit einem Passkey anmelden
login-new-here = Neu hier?
login-create-an-account = Konto erstellen

## login-email

login-email-sign-in-by-email = Anmeldung per E-Mail
login-email-we-will-email-you-a = Wir senden Ihnen einen Anmeldecode und einen Link per E-Mail. Kein Passwort nötig.
login-email-email-me-a-code = Code per E-Mail senden
login-email-i-already-have-a-code = Ich habe schon einen Code

## login-email-code

login-email-code-enter-your-sign-in-code = Anmeldecode eingeben
login-email-code-type-the-code-from-the = Geben Sie den Code aus der Anmelde-E-Mail ein. Er gilt einmal und läuft bald ab.

## login-email-link

login-email-link-you-followed-a-sign-in = Sie sind einem Anmeldelink aus Ihrer E-Mail gefolgt. Drücken Sie die Schaltfläche, um sich auf diesem Gerät anzumelden.
login-email-link-did-not-ask-to-sign = Sie wollten sich nicht anmelden? Schließen Sie diese Seite: Niemand wird angemeldet, solange Sie nicht auf die Schaltfläche drücken.

## login-second-factor

login-second-factor-your-password-was-right-enter = Ihr Passwort war richtig. Geben Sie einen der Wiederherstellungscodes ein, die Sie beim Einschalten der zweistufigen Anmeldung gespeichert haben; jeder Code gilt einmal.
login-second-factor-your-password-was-right = Ihr Passwort war richtig.
login-second-factor-use-one-of-your-passkeys = Verwenden Sie einen Ihrer Passkeys oder geben Sie den Code ein, den Ihre Authenticator-App für { $app_name } anzeigt.
login-second-factor-open-your-authenticator-app-and = Öffnen Sie Ihre Authenticator-App und geben Sie den Code ein, den sie für { $app_name } anzeigt.
login-second-factor-verify-and-sign-in = Prüfen und anmelden
login-second-factor-use-your-authenticator-app-instead = Stattdessen die Authenticator-App verwenden
login-second-factor-lost-your-phone = Telefon verloren?
login-second-factor-use-a-recovery-code = Wiederherstellungscode verwenden
login-second-factor-start-over = Neu beginnen
login-second-factor-recovery-code = Wiederherstellungscode
login-second-factor-like-xxxx-xxxx-xxxx-xxxx = Etwa XXXX-XXXX-XXXX-XXXX-XXXX-XXXX; Bindestriche und Groß-/Kleinschreibung spielen keine Rolle.
login-second-factor-six-digits-a-new-one = Sechs Ziffern. Alle 30 Sekunden erscheint ein neuer Code.

## macros

macros-optional = (optional)
macros-continue-with = Weiter mit { $label }

## message

message-send-a-new-link = Neuen Link senden

## oidc-link

oidc-link-link-to-your-account = { $provider_label } mit Ihrem Konto verknüpfen
oidc-link-you-are-signed-in-link = Sie sind angemeldet. Ihre Anmeldung bei { $provider_label } mit diesem Konto verknüpfen? Dann können Sie sich mit beiden anmelden und die Verknüpfung auf Ihrer Kontoseite wieder trennen.
oidc-link-link = { $provider_label } verknüpfen
oidc-link-not-now = Nicht jetzt
oidc-link-an-account-with-the-address = Ein Konto mit der Adresse, die uns { $provider_label } genannt hat, gibt es bereits. Um beide zu verknüpfen, weisen Sie nach, dass es Ihres ist: Melden Sie sich zuerst dort an.
oidc-link-nothing-is-linked-until-you = Nichts wird verknüpft, bevor Sie es auf der nächsten Seite bestätigen.

## reauth

reauth-confirm-it-is-you = Bestätigen Sie, dass Sie es sind
reauth-lead-passkey = Für diese Aktion brauchen wir einen frischen Nachweis. Verwenden Sie einen Ihrer Passkeys.
reauth-confirming-with-a-passkey-needs = Zum Bestätigen mit einem Passkey brauchen Sie einen Browser mit Passkey-Unterstützung und eingeschaltetem JavaScript.
reauth-continue = Weiter

## register

register-create-your-account = Erstellen Sie Ihr Konto
register-it-takes-less-than-a = Das dauert weniger als eine Minute.
register-sign-up-with-a-passkey = Mit einem Passkey registrieren
register-enter-your-email-address-above = Geben Sie oben Ihre E-Mail-Adresse ein und verwenden Sie dann Fingerabdruck, Gesicht oder Bildschirmsperre statt eines Passworts.
register-already-have-an-account = Sie haben schon ein Konto?
register-letters-digits-dots-dashes-and = Buchstaben, Ziffern, Punkte, Bindestriche und Unterstriche. Sie können sich damit statt mit Ihrer E-Mail-Adresse anmelden.
register-confirm-password = Passwort bestätigen

## request-reset

request-reset-reset-your-password = Passwort zurücksetzen
request-reset-enter-your-email-address-and = Geben Sie Ihre E-Mail-Adresse ein, und wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen.
request-reset-send-reset-link = Link zum Zurücksetzen senden

## reset

reset-choose-a-new-password = Wählen Sie ein neues Passwort
reset-after-this-every-device-signed = Danach werden alle Geräte abgemeldet, die bei Ihrem Konto angemeldet sind.

## reset-code

reset-code-reset-with-a-code = Mit einem Code zurücksetzen
reset-code-type-the-code-from-the = Geben Sie den Code aus der E-Mail zum Zurücksetzen ein und wählen Sie ein neues Passwort. Danach werden alle Geräte abgemeldet, die bei Ihrem Konto angemeldet sind.

## verify

verify-one-more-step-confirm-that = Noch ein Schritt: Bestätigen Sie, dass diese Adresse Ihnen gehört, um die Einrichtung des Kontos abzuschließen.
verify-did-not-create-an-account = Sie haben kein Konto erstellt? Schließen Sie diese Seite: Nichts wird bestätigt, solange Sie nicht auf die Schaltfläche drücken.

## verify-code

verify-code-enter-your-confirmation-code = Bestätigungscode eingeben
verify-code-the-email-we-sent-has = Die E-Mail, die wir gesendet haben, enthält einen Link und einen Code. Wenn Sie den Link auf diesem Gerät nicht öffnen können, geben Sie hier den Code ein.

## verify-resend

verify-resend-enter-the-address-you-registered = Geben Sie die Adresse ein, mit der Sie sich registriert haben, und wir senden Ihnen einen neuen Bestätigungslink.
verify-resend-send-link = Link senden

## Counted and composed texts

common-password-hint = Mindestens { $min } Zeichen.
register-password-hint = Mindestens { $min } Zeichen. Ein paar voneinander unabhängige Wörter ergeben ein starkes Passwort.
account-api-keys-in-7-days = in 7 Tagen
account-api-keys-in-30-days = in 30 Tagen
account-api-keys-in-90-days = in 90 Tagen
account-api-keys-in-a-year = in einem Jahr
admin-users-count = { $total ->
    [one] { $total } Konto.
   *[other] { $total } Konten.
}
admin-users-count-matching = { $total ->
    [one] { $total } Konto passt zu „{ $search }“.
   *[other] { $total } Konten passen zu „{ $search }“.
}
admin-mail-count = { $total ->
    [one] { $total } Nachricht konnte nicht zugestellt werden und wird nicht erneut versucht, außer Sie versuchen es erneut.
   *[other] { $total } Nachrichten konnten nicht zugestellt werden und werden nicht erneut versucht, außer Sie versuchen es erneut.
}
admin-webhooks-count = { $total ->
    [one] { $total } Webhook-Zustellung, die neueste zuerst.
   *[other] { $total } Webhook-Zustellungen, die neuesten zuerst.
}
reauth-lead-code-or-passkey = Für diese Aktion brauchen wir einen frischen Nachweis. Verwenden Sie einen Ihrer Passkeys oder geben Sie einen Code aus Ihrer Authenticator-App oder einen Ihrer Wiederherstellungscodes ein.
reauth-lead-code = Für diese Aktion brauchen wir einen frischen Nachweis. Geben Sie einen Code aus Ihrer Authenticator-App oder einen Ihrer Wiederherstellungscodes ein.
reauth-lead-password-or-passkey = Für diese Aktion brauchen wir einen frischen Nachweis. Verwenden Sie einen Ihrer Passkeys oder geben Sie Ihr Passwort erneut ein.
reauth-lead-password = Für diese Aktion brauchen wir einen frischen Nachweis. Geben Sie Ihr Passwort erneut ein.
base-languages = Sprache

## Page titles (the browser tab), set by the pages' code

title-api-keys = API-Schlüssel
title-check-your-inbox = Sehen Sie in Ihr Postfach
title-choose-a-new-password = Wählen Sie ein neues Passwort
title-confirm-it-is-you = Bestätigen Sie, dass Sie es sind
title-confirm-your-email-address = Bestätigen Sie Ihre E-Mail-Adresse
title-confirm-your-new-address = Bestätigen Sie Ihre neue Adresse
title-devices = Geräte
title-link-your-account = Konto verknüpfen
title-passkeys = Passkeys
title-set-up-two-step-sign-in = Zweistufige Anmeldung einrichten
title-sign-in = Anmelden
title-sign-in-providers = Anmeldedienste
title-two-step-sign-in = Zweistufige Anmeldung
title-undelivered-mail = Nicht zugestellte E-Mails
title-webhook-deliveries = Webhook-Zustellungen
title-users = Benutzer
title-your-account = Ihr Konto
title-your-recovery-codes = Ihre Wiederherstellungscodes

## Notices: the pages that say what happened or why a link cannot be used (built by
## the pages' code; $email is the address typed)

notice-sign-up-sent = Wir haben einen Link an { $email } gesendet. Öffnen Sie ihn, um Ihre Adresse zu bestätigen und Ihr Konto fertig einzurichten.
notice-sign-up-nothing-there = Nach ein paar Minuten noch nichts da? Sehen Sie im Spam-Ordner nach oder fordern Sie unten einen neuen Link an.
notice-enter-the-code-from-the-email = Code aus der E-Mail eingeben
notice-continue-to-sign-in = Weiter zur Anmeldung
notice-verification-resent = Wenn { $email } zu einem Konto gehört, das noch bestätigt werden muss, ist ein neuer Link unterwegs.
notice-link-expired = Dieser Link ist abgelaufen
notice-verify-link-expired = Bestätigungslinks gelten nur eine begrenzte Zeit. Fordern Sie unten einen neuen an.
notice-link-unusable = Dieser Link kann nicht verwendet werden
notice-verify-link-unusable = Vielleicht wurde er schon verwendet oder unvollständig kopiert. Fordern Sie unten einen neuen Bestätigungslink an.
notice-reset-sent = Wenn es für { $email } ein Konto gibt, haben wir ihm einen Link gesendet, mit dem Sie ein neues Passwort wählen.
notice-reset-nothing-there = Der Link gilt einmal und läuft bald ab. Nichts da? Sehen Sie im Spam-Ordner nach.
notice-reset-link-expired-title = Dieser Link zum Zurücksetzen ist abgelaufen
notice-reset-link-expired = Links zum Zurücksetzen gelten nur eine begrenzte Zeit. Fordern Sie einen neuen an.
notice-reset-link-unusable-title = Dieser Link zum Zurücksetzen kann nicht verwendet werden
notice-reset-link-unusable = Vielleicht wurde er schon verwendet oder unvollständig kopiert. Links zum Zurücksetzen gelten einmal und nur eine begrenzte Zeit. Fordern Sie einen neuen an.
notice-sign-in-code-sent = Wenn es für { $email } ein Konto gibt, haben wir ihm einen Anmeldecode und einen Link gesendet.
notice-sign-in-code-how = Öffnen Sie den Link auf diesem Gerät oder geben Sie den Code ein. Beide gelten einmal und laufen bald ab.
notice-enter-the-code = Code eingeben
notice-sign-in-link-unusable-title = Dieser Anmeldelink kann nicht verwendet werden
notice-sign-in-link-unusable = Vielleicht ist er abgelaufen, wurde schon verwendet oder durch einen neueren ersetzt. Anmeldelinks gelten einmal und nur eine begrenzte Zeit. Fordern Sie einen neuen an.
notice-email-link-refused = Beginnen Sie die Adressänderung in Ihren Kontoeinstellungen neu.
notice-confirmed-address-only = Diese Seite ist nur für Konten mit bestätigter E-Mail-Adresse. Öffnen Sie den Link, den wir Ihnen bei der Registrierung gesendet haben.
notice-lost-it = Verloren? Geben Sie Ihre Adresse ein, und wir senden einen neuen.

# web layer texts
## account: the card of the account's language
account-language = Sprache
account-language-of-your-emails = Sprache Ihrer E-Mails
account-language-default = Standard
account-language-save = Sprache speichern
## passkey-script: what the passkey script says when a passkey did not work
passkey-script-not-started = Der Passkey konnte nicht gestartet werden.
passkey-script-not-used = Es wurde kein Passkey verwendet. Versuchen Sie es noch einmal oder wählen Sie einen anderen Weg.
passkey-script-already-here = Dieses Gerät hat bereits einen Passkey für dieses Konto.
passkey-script-failed = Der Passkey hat nicht funktioniert. Versuchen Sie es noch einmal.
passkey-script-name-it = Geben Sie dem Passkey einen Namen.
passkey-script-email-first = Geben Sie zuerst Ihre E-Mail-Adresse ein.
## profile-field: the labels of the built-in profile fields (`profile-field-<name>`); an
## application may add its own fields' labels the same way
profile-field-display_name = Anzeigename
profile-field-locale = Sprache
profile-field-time_zone = Zeitzone
## device: a device in the lists of sessions ($browser: name and version, $system: the
## operating system)
device-on-system = { $browser } unter { $system }
