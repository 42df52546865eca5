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
# The answer to an application whose adapter is wired wrongly (nothing about the setup)
error-miswired = Bei uns ist etwas schiefgegangen.
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
## How a request was sent rather than what it asked: a body of the wrong type, or one
## that cannot be read ($field: the JSON member of the wrong type)
error-unsupported_media_type-json = Senden Sie JSON mit Content-Type: application/json.
error-unsupported_media_type-form = Formulare müssen als application/x-www-form-urlencoded gesendet werden.
error-unsupported_media_type-multipart = Formulare zum Hochladen müssen als multipart/form-data gesendet werden.
error-unsupported_media_type-picture = Senden Sie die Bytes des Bildes mit Content-Type image/png, image/jpeg, image/webp oder application/octet-stream.
error-bad_request-form = Das Formular konnte nicht gelesen werden.
error-bad_request-json = Der Inhalt ist kein gültiges JSON.
error-bad_request-json_object = Der Inhalt muss ein JSON-Objekt sein.
error-bad_request-not_a_string = `{ $field }` muss eine Zeichenkette sein.
error-bad_request-not_a_list = `{ $field }` muss eine Liste von Zeichenketten sein.
error-bad_request-multipart = Der Multipart-Inhalt ist fehlerhaft.
error-bad_request-body = Der Inhalt der Anfrage konnte nicht gelesen werden.
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

# engine reasons
## Warum die Anwendung ein Feld abgelehnt hat: die Kennungen, die der Kern mit jedem Grund
## liefert (FieldError::reason). Argumente tragen Zahlen und Namen ($n, $label, ...); die
## Ratschläge zum Passwort folgen dem Grund für ein Passwort.

field-challenge-gone = Diese Passkey-Anfrage ist abgelaufen oder wurde schon verwendet; versuchen Sie es noch einmal.
field-code-already_enrolled = Eine Authenticator-App ist schon eingerichtet; entfernen Sie sie zuerst.
field-code-email_code_form = Der Code besteht aus den { $n } Ziffern aus der E-Mail.
field-code-enrolment_raced = Gleichzeitig wurde eine andere Einrichtung begonnen; fangen Sie noch einmal an.
field-code-input_too_long = Ein Code hat höchstens { $n } Zeichen.
field-code-no_enrolment = Es wartet keine Einrichtung (sie ist vielleicht abgelaufen); fangen Sie noch einmal an.
field-code-no_second_factor = Dieses Konto hat keinen zweiten Faktor.
field-code-recovery_characters = Ein Wiederherstellungscode besteht nur aus Buchstaben und Ziffern.
field-code-recovery_length = Ein Wiederherstellungscode hat { $n } Zeichen.
field-code-replayed = Dieser Code wurde schon verwendet; warten Sie auf den nächsten.
field-code-second_factor_needed = Geben Sie einen Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein.
field-code-totp_digits_only = Ein Code besteht nur aus Ziffern.
field-code-totp_length = Ein Code hat genau { $n } Ziffern.
field-code-totp_required = Geben Sie den Code aus Ihrer Authenticator-App ein.
field-code-wrong = Dieser Code ist nicht richtig, abgelaufen oder wurde schon verwendet; fordern Sie einen neuen an.
field-code-wrong_recovery = Dieser Wiederherstellungscode ist nicht richtig oder wurde schon verwendet.
field-code-wrong_totp = Der Code ist nicht richtig; prüfen Sie die Uhrzeit auf Ihrem Gerät.
field-credential-malformed = Das ist keine Antwort eines Passkeys.
field-credential-no_passkey_sign_in = Dieses Konto hat keinen Passkey; verwenden Sie den Code aus Ihrer App.
field-credential-no_passkey_step_up = Dieses Konto hat keinen Passkey; bestätigen Sie auf andere Weise.
field-credential-not_verified = Der Passkey konnte nicht geprüft werden.
field-credential-registered = Dieser Passkey ist schon registriert.
field-email-ip_literal = Geben Sie eine Adresse mit einem Domainnamen nach dem @ ein, nicht mit einer IP-Adresse.
field-email-local_part_too_long = Der Teil einer E-Mail-Adresse vor dem @ hat höchstens { $n } Zeichen.
field-email-quoted = Geben Sie eine Adresse ohne Anführungszeichen ein, etwa name@example.com: E-Mails an Adressen in Anführungszeichen können nicht zugestellt werden.
field-email-too_long_for_link = Die E-Mail-Adresse ist für einen Bestätigungslink zu lang.
field-id-last_way_in = Dieser Passkey ist Ihr einziger Weg, sich anzumelden: Legen Sie zuerst ein Passwort fest (über einen Link zum Zurücksetzen), fügen Sie einen weiteren Passkey hinzu oder verknüpfen Sie einen Anbieter.
field-language-unsupported = Diese Sprache wird nicht angeboten.
field-link-gone = Dieses Verknüpfungsangebot ist abgelaufen oder wurde schon verwendet; melden Sie sich noch einmal beim Anbieter an.
field-name-control_characters = Ein Schlüsselname darf keine Steuerzeichen enthalten.
field-name-too_many_keys = Dieses Konto hat so viele Schlüssel, wie es haben darf: Widerrufen Sie zuerst einen.
field-name-too_many_passkeys = Dieses Konto hat so viele Passkeys, wie es haben darf: Entfernen Sie zuerst einen.
field-new_email-unchanged = Das ist bereits Ihre E-Mail-Adresse.
field-passkey_name-control_characters = Ein Passkey-Name darf keine Steuerzeichen enthalten.
field-passkey_name-required = Geben Sie dem Passkey einen Namen.
field-passkey_name-too_long = Ein Passkey-Name hat höchstens { $n } Zeichen.
field-password-breached = Dieses Passwort ist in einem Datenleck aufgetaucht, deshalb probieren Angreifer es zuerst. Wählen Sie ein anderes.
field-password-passkey_needed = Dieses Konto hat einen Passkey: Bestätigen Sie mit einem Ihrer Passkeys, Ihr Passwort allein genügt nicht.
field-password-too_common = Dieses Passwort ist zu verbreitet und leicht zu erraten.
field-password-too_many_bytes = Verwenden Sie ein Passwort mit höchstens { $n } Bytes.
field-password-too_weak = Dieses Passwort ist zu leicht zu erraten.
field-password_hash-malformed = Fehlerhafter { $format }-Passwort-Hash.
field-password_hash-unknown_format = Unbekanntes Format des Passwort-Hashes: erwartet wird ein Argon2-PHC-String, bcrypt ($2a$, $2b$, $2y$), PBKDF2-SHA256 (Django pbkdf2_sha256$ oder passlib $pbkdf2-sha256$) oder scrypt ($scrypt$).
field-pending-gone = Diese Anmeldung ist abgelaufen oder schon abgeschlossen; melden Sie sich noch einmal an.
field-picture-corrupt = Die { $format }-Datei ist beschädigt oder unvollständig und kann nicht gelesen werden.
field-picture-empty = Wählen Sie ein Bild zum Hochladen: Die Datei war leer.
field-picture-too_large = Das Bild ist größer als { $n } Bytes.
field-picture-too_many_pixels = Das Bild hat { $width }×{ $height } Pixel: Akzeptiert werden höchstens { $max_pixels } Pixel und { $max_side } je Seite.
field-picture-unsupported_type = Laden Sie ein PNG-, JPEG- oder WebP-Bild hoch.
field-picture-unsupported_type-found = Laden Sie ein PNG-, JPEG- oder WebP-Bild hoch (diese Datei ist { $found ->
        [gif] ein GIF-Bild
        [bmp] ein BMP-Bild
        [tiff] ein TIFF-Bild
        [avif_heic] ein AVIF- oder HEIC-Bild
        [pdf] ein PDF-Dokument
        [zip] ein ZIP-Archiv
       *[markup] Text: SVG, HTML oder XML
    }).
field-profile-control_characters = { $label } darf keine Zeilenumbrüche oder Steuerzeichen enthalten.
field-profile-not_a_date = { $label } muss ein Datum in der Form JJJJ-MM-TT sein.
field-profile-not_a_number = { $label } muss eine Zahl sein.
field-profile-not_an_object = Das Profil muss ein Objekt aus Feldern sein.
field-profile-not_an_option = { $label } muss eines davon sein: { $options }.
field-profile-not_email = { $label } muss eine E-Mail-Adresse sein.
field-profile-not_text = { $label } muss Text sein.
field-profile-not_url = { $label } muss eine Webadresse sein, die mit https:// beginnt.
field-profile-not_yes_or_no = { $label } muss Ja oder Nein sein.
field-profile-out_of_range = { $label } muss zwischen { $min } und { $max } liegen.
field-profile-pattern = { $label } hat nicht die erwartete Form.
field-profile-read_only = { $label } kann hier nicht geändert werden.
field-profile-required = { $label } ist erforderlich.
field-profile-too_large = Das Profil ist größer als { $n } Bytes.
field-profile-too_long = { $label } darf höchstens { $n } Zeichen haben.
field-profile-too_short = { $label } muss mindestens { $n } Zeichen haben.
field-profile-unknown_field = Es gibt kein Profilfeld { $name }.
field-profile-unreadable = Das Profil konnte nicht gelesen werden.
field-profile-wrong_type = Das Profil passt nicht zum verlangten Typ.
field-profile-wrong_value_type = { $label } hat den falschen Typ.
field-provider-invalid_name = Ein Anbietername besteht aus 1 bis 32 Zeichen aus a-z, 0-9, - und _.
field-provider-last_way_in = Das ist Ihr einziger Weg, sich anzumelden: Legen Sie zuerst ein Passwort fest (über einen Link zum Zurücksetzen), fügen Sie einen Passkey hinzu oder verknüpfen Sie einen anderen Anbieter.
field-provider-no_email = Der Anbieter hat keine E-Mail-Adresse genannt, die ein neues Konto braucht.
field-provider-sign_up_closed = Mit dieser Anmeldung ist kein Konto verknüpft, und damit können keine neuen Konten angelegt werden.
field-provider-unverified_email_taken = Melden Sie sich zuerst mit Ihrem Passwort an und verknüpfen Sie dann diesen Anbieter auf Ihrer Kontoseite.
field-roles-invalid = Die Rolle { $role } ist ungültig: Verwenden Sie 1 bis { $n } Zeichen aus a-z, 0-9, „_“, „-“, „:“.
field-roles-own_admin = Sie können sich Ihre eigene Administratorrolle nicht entziehen.
field-scopes-unknown_scope = { $scope } ist kein Geltungsbereich dieser Website.
field-subject-invalid = Die Kennung beim Anbieter ist leer, zu lang oder fehlerhaft.
field-token-sign_in_link = Dieser Anmeldelink ist ungültig, abgelaufen oder wurde schon verwendet; fordern Sie einen neuen an.
field-user-disable_self = Sie können Ihr eigenes Konto nicht deaktivieren.
password-advice-add_a_word = Fügen Sie ein oder zwei Wörter hinzu; ungewöhnliche Wörter sind besser.
password-advice-all_uppercase = Nur Großbuchstaben sind fast so leicht zu erraten wie nur Kleinbuchstaben.
password-advice-another_word = Fügen Sie ein oder zwei Wörter hinzu. Ungewöhnliche Wörter sind besser.
password-advice-capitalization = Großschreibung hilft nicht viel.
password-advice-few_words = Verwenden Sie ein paar Wörter, vermeiden Sie gängige Redewendungen.
password-advice-longer_keyboard_pattern = Verwenden Sie ein längeres Tastaturmuster mit mehr Richtungswechseln.
password-advice-no_symbols_needed = Sonderzeichen, Ziffern oder Großbuchstaben sind nicht nötig.
password-advice-personal_dates = Vermeiden Sie Daten und Jahre, die mit Ihnen verbunden sind.
password-advice-personal_years = Vermeiden Sie Jahre, die mit Ihnen verbunden sind.
password-advice-recent_years = Vermeiden Sie die letzten Jahre.
password-advice-repeated_words = Vermeiden Sie wiederholte Wörter und Zeichen.
password-advice-reversed_words = Rückwärts geschriebene Wörter sind kaum schwerer zu erraten.
password-advice-sequences = Vermeiden Sie Folgen.
password-advice-substitutions = Vorhersehbare Ersetzungen wie „@“ statt „a“ helfen nicht viel.
password-warning-common = Das ist ein sehr verbreitetes Passwort.
password-warning-common_names = Häufige Vor- und Nachnamen sind leicht zu erraten.
password-warning-dates = Daten sind oft leicht zu erraten.
password-warning-names = Vor- und Nachnamen allein sind leicht zu erraten.
password-warning-recent_years = Die letzten Jahre sind leicht zu erraten.
password-warning-repeated_sequences = Wiederholungen wie „abcabcabc“ sind nur wenig schwerer zu erraten als „abc“.
password-warning-repeats = Wiederholungen wie „aaa“ sind leicht zu erraten.
password-warning-sequences = Folgen wie abc oder 6543 sind leicht zu erraten.
password-warning-short_keyboard_patterns = Kurze Tastaturmuster sind leicht zu erraten.
password-warning-similar_to_common = Das ähnelt einem häufig verwendeten Passwort.
password-warning-single_word = Ein Wort allein ist leicht zu erraten.
password-warning-straight_rows = Gerade Tastenreihen sind leicht zu erraten.
password-warning-top10 = Das ist eines der 10 häufigsten Passwörter.
password-warning-top100 = Das ist eines der 100 häufigsten Passwörter.
## Die eigenen Feldgründe der Web-Schicht
field-codes-not_current = nicht die unbenutzten Wiederherstellungscodes des Kontos
field-token_mode-invalid = token_mode ist „cookie“ (die Voreinstellung) oder „bearer“.
field-not_a_number = Muss eine ganze Zahl sein, etwa 0 oder 25.
field-offset-out_of_range = Darf höchstens { $n } sein.
field-scopes-not_granted = Ein Token darf nur Geltungsbereiche tragen, die der Schlüssel (oder, für eine Sitzung, die Anwendung) gewährt.
field-audience-unknown_audience = Tokens werden ausgestellt für: { $audiences }.
field-expires_in_days-out_of_range = Muss 1 bis { $n } Tage betragen oder für kein Ablaufdatum weggelassen werden.
field-expires_at-invalid = Muss ein Zeitpunkt in der Form nach RFC 3339 sein, etwa 2027-01-31T00:00:00Z.

# web layer texts
## The web layer's own texts: a flash, the more specific refusals that replace an error's
## message ($reason: a field's reason, $field: a field's name), and the `message` of the
## JSON API's 202 "accepted" answers.

flash-language_saved = Sprache gespeichert.
refusal-sign-in-email-not-verified = Bestätigen Sie Ihre E-Mail-Adresse, bevor Sie sich anmelden: Folgen Sie dem Link, den wir Ihnen gesendet haben, oder fordern Sie einen neuen an.
refusal-recovery-codes-not-current = Das sind nicht Ihre aktuellen Wiederherstellungscodes. Erstellen Sie neue auf der Seite „Zweistufige Anmeldung“ Ihres Kontos.
refusal-provider-sign-in-failed = Die Anmeldung über diesen Dienst ist fehlgeschlagen oder abgelaufen. Bitte versuchen Sie es noch einmal.
refusal-provider-sign-in-failed-reason = die Anmeldung ist fehlgeschlagen oder abgelaufen
refusal-provider-unavailable = Der Dienst ist nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.
refusal-provider-not-usable-here = Diese Anmeldung kann hier nicht verwendet werden: { $reason }.
refusal-link-offer-expired = Dieses Angebot zum Verknüpfen ist abgelaufen oder wurde schon verwendet. Melden Sie sich erneut über den Dienst an.
refusal-passkey-not-accepted = Dieser Passkey wurde nicht angenommen. Vielleicht wurde er aus Ihrem Konto entfernt: Melden Sie sich auf andere Weise an.
refusal-query-not-usable = Der Wert { $field } in der Adresse ist nicht verwendbar: { $reason }
accepted-sign-up = Sehen Sie in Ihr Postfach: Wir haben einen Link gesendet, mit dem Sie die Adresse bestätigen.
accepted-verification-resent = Wenn die Adresse zu einem Konto gehört, das noch bestätigt werden muss, ist ein neuer Link unterwegs.
accepted-reset-sent = Wenn es für diese Adresse ein Konto gibt, haben wir ihm einen Link gesendet, mit dem Sie ein neues Passwort wählen.
accepted-sign-in-code-sent = Wenn es für diese Adresse ein Konto gibt, haben wir ihm einen Anmeldecode und einen Link gesendet.
accepted-email-change-sent = Wir haben einen Bestätigungslink an die neue Adresse gesendet.
