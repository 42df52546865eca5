# German messages: the same ids and placeholders as the English catalogue (en/messages.ftl), whose
# comments describe them.

## Flash messages, shown once after a redirect

flash-signed_in = Sie sind angemeldet.
flash-signed_out = Sie wurden abgemeldet.
flash-login_required = Bitte melden Sie sich an, um fortzufahren.
flash-email_verified = Ihre E-Mail-Adresse ist bestätigt. Vielen Dank!
flash-password_reset = Ihr Passwort wurde geändert und alle Geräte wurden abgemeldet. Melden Sie sich mit Ihrem neuen Passwort an.
flash-password_changed = Ihr Passwort wurde geändert. Ihre anderen Geräte wurden abgemeldet.
flash-profile_saved = Ihr Profil wurde gespeichert.
flash-picture_saved = Ihr Bild wurde gespeichert.
flash-picture_removed = Ihr Bild wurde entfernt.
flash-email_change_sent = Fast geschafft: Öffnen Sie den Link, den wir an Ihre neue Adresse gesendet haben, um sie zu bestätigen.
flash-email_changed = Ihre E-Mail-Adresse wurde geändert.
flash-session_revoked = Dieses Gerät wurde abgemeldet.
flash-sessions_revoked = Alle anderen Geräte wurden abgemeldet.
flash-api_key_revoked = Der API-Schlüssel wurde widerrufen. Programme, die ihn verwenden, werden abgewiesen.
flash-api_keys_revoked = Alle API-Schlüssel wurden widerrufen.
flash-account_deleted = Ihr Konto wurde gelöscht. Auf Wiedersehen!
flash-admin_done = Erledigt.
flash-sign_in_expired = Diese Anmeldung ist abgelaufen oder wurde schon verwendet. Bitte melden Sie sich erneut an.
flash-second_factor_disabled = Die zweistufige Anmeldung ist aus: Jetzt meldet Sie Ihr Passwort allein an.
flash-reauthenticated = Danke. Sie können jetzt fortfahren.
flash-passkey_added = Ihr Passkey wurde hinzugefügt: Ab jetzt meldet er Sie an.
flash-passkey_renamed = Ihr Passkey wurde umbenannt.
flash-passkey_removed = Ihr Passkey wurde entfernt.
flash-identity_linked = Der Dienst wurde verknüpft: Sie können sich jetzt damit anmelden. Wir haben Ihnen eine Benachrichtigung gesendet.
flash-identity_unlinked = Die Verknüpfung mit dem Dienst wurde getrennt. Wir haben Ihnen eine Benachrichtigung gesendet.

## Error messages, by the error's code ($n: the number in the message, $wait: how long to
## wait, $field: the field that is taken)

error-validation_failed = Einige Felder brauchen Ihre Aufmerksamkeit.
error-csrf_failed = Dieses Formular ist abgelaufen oder kam nicht von dieser Website. Laden Sie die Seite neu und versuchen Sie es noch einmal.
error-payload_too_large = Der Inhalt der Anfrage ist größer als { $n } Bytes.
error-not_found = Unter dieser Adresse gibt es nichts.
error-method_not_allowed = Diese Adresse nimmt diese Methode nicht an.
error-unauthenticated = Melden Sie sich an, um fortzufahren.
error-insufficient_scope = Dieser API-Schlüssel hat nicht die Berechtigung, die dieser Pfad verlangt.
error-forbidden = Dazu fehlt Ihnen die Berechtigung.
error-reauthentication_required = Bestätigen Sie zuerst, dass Sie es sind: Geben Sie Ihr Passwort (oder einen Code aus Ihrer Authenticator-App) erneut ein.
error-second_factor_enrolment_required = Ihr Konto braucht einen zweiten Faktor: Richten Sie zuerst eine Authenticator-App ein.
error-email_not_verified = Bestätigen Sie zuerst Ihre E-Mail-Adresse: Folgen Sie dem Link, den wir Ihnen gesendet haben.
error-internal = Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es gleich noch einmal.
error-invalid_credentials = E-Mail-Adresse, Benutzername oder Passwort ist falsch.
error-account_locked = Zu viele Fehlversuche. Versuchen Sie es in { $wait } erneut.
error-rate_limited = Zu viele Anfragen. Versuchen Sie es in { $wait } erneut.
error-account_disabled = Dieses Konto wurde gesperrt.
error-second_factor_required = Dieses Konto meldet sich mit einem zweiten Faktor an.
error-invalid_token = Dieser Link ist ungültig, abgelaufen oder wurde schon verwendet.
error-conflict = { $field ->
    [email] Diese E-Mail-Adresse ist schon vergeben.
    [username] Dieser Benutzername ist schon vergeben.
   *[other] Dieser Wert ({ $field }) ist schon vergeben.
}
error-stale = Das Konto hat sich geändert, während Sie es bearbeitet haben. Laden Sie neu und versuchen Sie es noch einmal.
error-unavailable = Der Dienst ist vorübergehend nicht verfügbar. Bitte versuchen Sie es in Kürze erneut.
## Above a form whose fields are marked.
error-form = Bitte korrigieren Sie die unten markierten Felder.

## How long to wait, in the messages above

duration-second = einer Sekunde
duration-seconds = { $n } Sekunden
duration-minute = einer Minute
duration-minutes = { $n } Minuten
duration-hours = { $n ->
    [one] einer Stunde
   *[other] { $n } Stunden
}

## The title of an error page, by HTTP status

status-400 = Etwas stimmt nicht
status-401 = Bitte melden Sie sich an
status-403 = Nicht erlaubt
status-404 = Seite nicht gefunden
status-405 = Nicht erlaubt
status-409 = Konflikt
status-413 = Zu viele Daten
status-415 = Nicht unterstützte Anfrage
status-429 = Langsamer, bitte
status-503 = Vorübergehend nicht verfügbar
status-other = Etwas ist schiefgegangen

## Why a field was refused, by field and code ($n: the number in the message). A reason
## is shown in another language only when the engine's English text is this one.

field-email-required = Geben Sie eine E-Mail-Adresse ein.
field-email-invalid = Geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com.
field-email-too_long = Eine E-Mail-Adresse hat höchstens { $n } Zeichen.
field-new_email-required = Geben Sie eine E-Mail-Adresse ein.
field-new_email-invalid = Geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com.
field-new_email-too_long = Eine E-Mail-Adresse hat höchstens { $n } Zeichen.
field-username-too_short = Ein Benutzername hat mindestens { $n } Zeichen.
field-username-too_long = Ein Benutzername hat höchstens { $n } Zeichen.
field-username-invalid = Verwenden Sie Buchstaben, Ziffern, „_“, „.“ oder „-“, am Anfang einen Buchstaben oder eine Ziffer.
field-password-too_short = Verwenden Sie ein Passwort mit mindestens { $n } Zeichen; ein paar Wörter ergeben ein starkes Passwort, das man sich merken kann.
field-password-too_long = Verwenden Sie ein Passwort mit höchstens { $n } Zeichen.
field-password-contains_personal_info = Verwenden Sie Ihre E-Mail-Adresse oder Ihren Benutzernamen nicht in Ihrem Passwort.
field-password-invalid = Das Passwort ist nicht richtig.
field-current_password-invalid = Das Passwort ist nicht richtig.
field-password_confirm-mismatch = Die beiden Passwörter stimmen nicht überein.
field-name-required = Geben Sie dem Schlüssel einen Namen.
field-name-too_long = Ein Schlüsselname hat höchstens { $n } Zeichen.
field-expires_at-in_the_past = Das Ablaufdatum muss in der Zukunft liegen.
field-code-invalid = Geben Sie den Code aus der E-Mail ein.
field-token = ungültig oder abgelaufen
field-required = Dieses Feld ist erforderlich.
field-id-malformed = Das ist keine Kennung einer Webhook-Zustellung.
field-id-unknown = Keine fehlgeschlagene Webhook-Zustellung hat diese Kennung (vielleicht wurde sie schon erneut versucht oder verworfen).

## Audit events on the admin pages, by kind

audit-registered = Konto erstellt
audit-email_verified = E-Mail-Adresse bestätigt
audit-login_succeeded = Angemeldet
audit-login_failed = Anmeldung fehlgeschlagen
audit-locked = Nach Fehlversuchen vorübergehend gesperrt
audit-logged_out = Abgemeldet
audit-logged_out_everywhere = Überall abgemeldet
audit-password_reset_requested = Zurücksetzen des Passworts angefordert
audit-password_reset = Passwort per Link zurückgesetzt
audit-password_changed = Passwort geändert
audit-email_change_requested = Änderung der E-Mail-Adresse angefordert
audit-email_changed = E-Mail-Adresse geändert
audit-account_deleted = Konto gelöscht
audit-disabled = Von einem Administrator gesperrt
audit-enabled = Von einem Administrator freigegeben
audit-unlocked = Von einem Administrator entsperrt
audit-roles_changed = Rollen geändert
audit-forced_logout = Von einem Administrator überall abgemeldet
audit-session_revoked = Gerät abgemeldet
audit-mail_retried = Nicht zugestellte E-Mail wieder in den Postausgang gelegt
audit-mail_discarded = Nicht zugestellte E-Mail verworfen
audit-profile_changed = Profil geändert
audit-webhook_retried = Nicht zugestellter Webhook wieder in den Postausgang gelegt
audit-webhook_discarded = Nicht zugestellter Webhook verworfen
audit-picture_changed = Profilbild hochgeladen
audit-picture_removed = Profilbild entfernt
audit-second_factor_enabled = Authenticator-App eingerichtet
audit-second_factor_disabled = Zweiter Faktor entfernt
audit-second_factor_reset = Zweiter Faktor von einem Administrator zurückgesetzt
audit-recovery_code_used = Mit einem Wiederherstellungscode angemeldet
audit-recovery_codes_regenerated = Wiederherstellungscodes ersetzt
audit-api_key_created = API-Schlüssel erstellt
audit-api_keys_revoked = API-Schlüssel widerrufen
audit-identity_linked = Anmeldedienst verknüpft
audit-identity_unlinked = Anmeldedienst getrennt
audit-passkey_added = Passkey hinzugefügt
audit-passkey_renamed = Passkey umbenannt
audit-passkey_removed = Passkey entfernt
audit-passkey_counter_regressed = Passkey abgewiesen: Sein Signaturzähler ging zurück (womöglich kopiert)
audit-reauthenticated = Identität für eine heikle Aktion bestätigt
audit-access_token_issued = Zugriffstoken ausgestellt

## Undelivered mail on the admin page, by kind

outbox-verification = Link zur Bestätigung der Adresse
outbox-password_reset = Link zum Zurücksetzen des Passworts
outbox-email_change = Link zur Bestätigung der neuen Adresse
outbox-email_change_notice = Hinweis auf eine Adressänderung
outbox-password_changed = Hinweis auf eine Passwortänderung
outbox-account_exists = Hinweis auf eine Registrierung mit einer vergebenen Adresse
outbox-second_factor_enabled = Hinweis, dass die zweistufige Anmeldung eingeschaltet wurde
outbox-second_factor_disabled = Hinweis, dass die zweistufige Anmeldung ausgeschaltet wurde
outbox-recovery_code_used = Hinweis auf einen verwendeten Wiederherstellungscode
outbox-second_factor_reset = Hinweis auf das Zurücksetzen des zweiten Faktors durch einen Administrator
outbox-identity_linked = Hinweis auf einen verknüpften Anmeldedienst
outbox-identity_unlinked = Hinweis auf einen getrennten Anmeldedienst
outbox-sign_in_code = Anmeldecode und -link

## The buttons of the admin's user page, by action

admin-action-enable = Konto freigeben
admin-action-disable = Konto sperren
admin-action-unlock = Sperre aufheben
admin-action-logout = Überall abmelden
admin-action-reset_second_factor = Zweistufige Anmeldung zurücksetzen
