# Messages the web layer shows: flash messages, the JSON API's and error pages' messages,
# field reasons, error page titles and the labels of the admin pages. The ids carry the
# stable codes (flash-<code>, error-<code>, field-<field>-<code>, audit-<kind>), which
# never change; only the texts are translated.

## Flash messages, shown once after a redirect

flash-signed_in = You are signed in.
flash-signed_out = You have been signed out.
flash-login_required = Please sign in to continue.
flash-email_verified = Your email address is confirmed. Thank you!
flash-password_reset = Your password was changed and every device was signed out. Sign in with your new password.
flash-password_changed = Your password was changed. Your other devices were signed out.
flash-profile_saved = Your profile was saved.
flash-picture_saved = Your picture was saved.
flash-picture_removed = Your picture was removed.
flash-email_change_sent = Almost done: open the link we sent to your new address to confirm it.
flash-email_changed = Your email address was changed.
flash-session_revoked = That device was signed out.
flash-sessions_revoked = Every other device was signed out.
flash-api_key_revoked = That API key was revoked. Programs using it are refused.
flash-api_keys_revoked = Every API key was revoked.
flash-account_deleted = Your account was deleted. Goodbye!
flash-admin_done = Done.
flash-sign_in_expired = That sign-in expired or was already used. Please sign in again.
flash-second_factor_disabled = Two-step sign-in is off: your password alone signs you in now.
flash-reauthenticated = Thank you. You can go ahead now.
flash-passkey_added = Your passkey was added: it signs you in from now on.
flash-passkey_renamed = Your passkey was renamed.
flash-passkey_removed = Your passkey was removed.
flash-identity_linked = The provider was linked: you can sign in with it now. We sent you a notice.
flash-identity_unlinked = The provider was unlinked. We sent you a notice.

## Error messages, by the error's code ($n: the number in the message, $wait: how long to
## wait, $field: the field that is taken)

error-validation_failed = Some fields need your attention.
error-csrf_failed = This form has expired or did not come from this site. Reload the page and try again.
error-payload_too_large = The request body is larger than { $n } bytes.
error-not_found = There is nothing at this address.
error-method_not_allowed = This address does not accept that method.
error-unauthenticated = Sign in to continue.
error-insufficient_scope = This API key does not carry the scope this route requires.
error-forbidden = You do not have permission to do this.
error-reauthentication_required = Confirm it is you first: enter your password (or a code from your authenticator app) again.
error-second_factor_enrolment_required = Your account needs a second factor: set up an authenticator app first.
error-email_not_verified = Confirm your email address first: follow the link we sent you.
error-internal = Something went wrong on our side. Please try again in a moment.
# The answer to an application whose adapter is wired wrongly (nothing about the setup)
error-miswired = Something went wrong on our side.
error-invalid_credentials = The email, username or password is incorrect.
error-account_locked = Too many failed attempts. Try again in { $wait }.
error-rate_limited = Too many requests. Try again in { $wait }.
error-account_disabled = This account has been disabled.
error-second_factor_required = This account signs in with a second factor.
error-invalid_token = This link is invalid, has expired or was already used.
error-conflict = This { $field } is already taken.
error-stale = The account changed while you were editing it. Reload and try again.
error-unavailable = The service is temporarily unavailable. Please try again shortly.
## How a request was sent rather than what it asked: a body of the wrong type, or one
## that cannot be read ($field: the JSON member of the wrong type)
error-unsupported_media_type-json = Send JSON with Content-Type: application/json.
error-unsupported_media_type-form = Forms must be sent as application/x-www-form-urlencoded.
error-unsupported_media_type-multipart = Upload forms must be sent as multipart/form-data.
error-unsupported_media_type-picture = Send the picture's bytes with Content-Type image/png, image/jpeg, image/webp or application/octet-stream.
error-bad_request-form = The form could not be read.
error-bad_request-json = The body is not valid JSON.
error-bad_request-json_object = The body must be a JSON object.
error-bad_request-not_a_string = `{ $field }` must be a string.
error-bad_request-not_a_list = `{ $field }` must be a list of strings.
error-bad_request-multipart = The multipart body is malformed.
error-bad_request-body = The request body could not be read.
## Above a form whose fields are marked.
error-form = Please correct the fields marked below.

## How long to wait, in the messages above

duration-second = a second
duration-seconds = { $n } seconds
duration-minute = a minute
duration-minutes = { $n } minutes
duration-hours = { $n } hours

## The title of an error page, by HTTP status

status-400 = Something is not right
status-401 = Please sign in
status-403 = Not allowed
status-404 = Page not found
status-405 = Not allowed
status-409 = Conflict
status-413 = Too much data
status-415 = Unsupported request
status-429 = Slow down
status-503 = Temporarily unavailable
status-other = Something went wrong

## Why a field was refused, by field and code ($n: the number in the message). A reason
## is shown in another language only when the engine's English text is this one.

field-email-required = Enter an email address.
field-email-invalid = Enter a valid email address, like name@example.com.
field-email-too_long = An email address has at most { $n } characters.
field-new_email-required = Enter an email address.
field-new_email-invalid = Enter a valid email address, like name@example.com.
field-new_email-too_long = An email address has at most { $n } characters.
field-username-too_short = A username has at least { $n } characters.
field-username-too_long = A username has at most { $n } characters.
field-username-invalid = Use letters, digits, '_', '.' or '-', starting with a letter or digit.
field-password-too_short = Use a password of at least { $n } characters; a few words make a strong and memorable one.
field-password-too_long = Use a password of at most { $n } characters.
field-password-contains_personal_info = Don't use your email address or username in your password.
field-password-invalid = The password is not correct.
field-current_password-invalid = The password is not correct.
field-password_confirm-mismatch = The two passwords do not match.
field-name-required = Give the key a name.
field-name-too_long = A key name is at most { $n } characters.
field-expires_at-in_the_past = The expiry must be in the future.
field-code-invalid = Enter the code from the email.
field-token = invalid or expired
field-required = This field is required.
field-id-malformed = This is not a webhook delivery id.
field-id-unknown = No failed webhook delivery has this id (it may have been retried or discarded).

## Audit events on the admin pages, by kind

audit-registered = Account created
audit-email_verified = Email address confirmed
audit-login_succeeded = Signed in
audit-login_failed = Sign-in failed
audit-locked = Locked after failed sign-ins
audit-logged_out = Signed out
audit-logged_out_everywhere = Signed out everywhere
audit-password_reset_requested = Password reset requested
audit-password_reset = Password reset by link
audit-password_changed = Password changed
audit-email_change_requested = Email change requested
audit-email_changed = Email address changed
audit-account_deleted = Account deleted
audit-disabled = Disabled by an administrator
audit-enabled = Enabled by an administrator
audit-unlocked = Unlocked by an administrator
audit-roles_changed = Roles changed
audit-forced_logout = Signed out everywhere by an administrator
audit-session_revoked = Device signed out
audit-mail_retried = Failed mail put back in the outbox
audit-mail_discarded = Failed mail discarded
audit-profile_changed = Profile changed
audit-webhook_retried = Failed webhook put back in the outbox
audit-webhook_discarded = Failed webhook discarded
audit-picture_changed = Profile picture uploaded
audit-picture_removed = Profile picture removed
audit-second_factor_enabled = Authenticator app enrolled
audit-second_factor_disabled = Second factor removed
audit-second_factor_reset = Second factor reset by an administrator
audit-recovery_code_used = Signed in with a recovery code
audit-recovery_codes_regenerated = Recovery codes replaced
audit-api_key_created = API key created
audit-api_keys_revoked = API keys revoked
audit-identity_linked = Sign-in provider linked
audit-identity_unlinked = Sign-in provider unlinked
audit-passkey_added = Passkey added
audit-passkey_renamed = Passkey renamed
audit-passkey_removed = Passkey removed
audit-passkey_counter_regressed = Passkey refused: its signature counter went back (possibly cloned)
audit-reauthenticated = Confirmed identity for a sensitive action
audit-access_token_issued = Access token issued

## Undelivered mail on the admin page, by kind

outbox-verification = Address confirmation link
outbox-password_reset = Password reset link
outbox-email_change = New address confirmation link
outbox-email_change_notice = Notice of an address change
outbox-password_changed = Notice of a password change
outbox-account_exists = Notice of a sign-up with a taken address
outbox-second_factor_enabled = Notice that two-step sign-in was turned on
outbox-second_factor_disabled = Notice that two-step sign-in was turned off
outbox-recovery_code_used = Notice of a recovery code used
outbox-second_factor_reset = Notice of a second factor reset by an administrator
outbox-identity_linked = Notice of a linked sign-in provider
outbox-identity_unlinked = Notice of an unlinked sign-in provider
outbox-sign_in_code = Sign-in code and link

## The buttons of the admin's user page, by action

admin-action-enable = Enable account
admin-action-disable = Disable account
admin-action-unlock = Lift lock
admin-action-logout = Sign out everywhere
admin-action-reset_second_factor = Reset two-step sign-in

# engine reasons
## Why the engine refused a field: the message ids the core gives with each reason
## (auth-core's FieldError::reason), rendered in the reader's language. Arguments carry
## numbers and names ($n, $label, ...); the password advice follows a password's reason.

field-challenge-gone = this passkey request expired or was already used; try again
field-code-already_enrolled = an authenticator app is already enrolled; remove it first
field-code-email_code_form = the code is the { $n } digits from the email
field-code-enrolment_raced = another enrolment was started at the same time; start again
field-code-input_too_long = a code is at most { $n } characters
field-code-no_enrolment = no enrolment is waiting (it may have expired); start again
field-code-no_second_factor = this account has no second factor
field-code-recovery_characters = a recovery code has letters and digits only
field-code-recovery_length = a recovery code has { $n } characters
field-code-replayed = this code was already used; wait for the next one
field-code-second_factor_needed = enter a code from your authenticator app or a recovery code
field-code-totp_digits_only = a code has digits only
field-code-totp_length = a code has exactly { $n } digits
field-code-totp_required = enter the code from your authenticator app
field-code-wrong = this code is not correct, has expired or was already used; ask for a new one
field-code-wrong_recovery = this recovery code is not correct or was already used
field-code-wrong_totp = the code is not correct; check the time on your device
field-credential-malformed = this is not a passkey answer
field-credential-no_passkey_sign_in = this account has no passkey; use the code from your app
field-credential-no_passkey_step_up = this account has no passkey; confirm another way
field-credential-not_verified = the passkey could not be verified
field-credential-registered = this passkey is registered already
field-email-ip_literal = Enter an address with a domain name after the @, not an IP address.
field-email-local_part_too_long = The part of an email address before the @ has at most { $n } characters.
field-email-quoted = Enter an address without quotation marks, like name@example.com: mail to quoted addresses cannot be delivered.
field-email-too_long_for_link = The email address is too long for a confirmation link.
field-id-last_way_in = this passkey is your only way to sign in: set a password (by a reset link), add another passkey or link a provider first
field-language-unsupported = This language is not offered.
field-link-gone = this link offer expired or was already used; sign in with the provider again
field-name-control_characters = A key name cannot hold control characters.
field-name-too_many_keys = This account holds as many keys as it may: revoke one first.
field-name-too_many_passkeys = This account holds as many passkeys as it may: remove one first.
field-new_email-unchanged = This is already your email address.
field-passkey_name-control_characters = A passkey name cannot hold control characters.
field-passkey_name-required = Give the passkey a name.
field-passkey_name-too_long = A passkey name is at most { $n } characters.
field-password-breached = This password has appeared in a data breach, so attackers try it first. Choose another.
field-password-passkey_needed = this account has a passkey: confirm with one of your passkeys, your password alone is not enough
field-password-too_common = This password is too common and easy to guess.
field-password-too_many_bytes = Use a password of at most { $n } bytes.
field-password-too_weak = This password is too easy to guess.
field-password_hash-malformed = Malformed { $format } password hash.
field-password_hash-unknown_format = Unknown password hash format: expected an Argon2 PHC string, bcrypt ($2a$, $2b$, $2y$), PBKDF2-SHA256 (Django pbkdf2_sha256$ or passlib $pbkdf2-sha256$) or scrypt ($scrypt$).
field-pending-gone = this sign-in expired or was already completed; sign in again
field-picture-corrupt = The { $format } file is damaged or incomplete and cannot be read.
field-picture-empty = Choose a picture to upload: the file was empty.
field-picture-too_large = The picture is larger than { $n } bytes.
field-picture-too_many_pixels = The picture is { $width }×{ $height } pixels: at most { $max_pixels } pixels and { $max_side } a side are accepted.
field-picture-unsupported_type = Upload a PNG, JPEG or WebP image.
field-picture-unsupported_type-found = Upload a PNG, JPEG or WebP image (this file is { $found ->
        [gif] a GIF image
        [bmp] a BMP image
        [tiff] a TIFF image
        [avif_heic] an AVIF or HEIC image
        [pdf] a PDF document
        [zip] a ZIP archive
       *[markup] text: SVG, HTML or XML
    }).
field-profile-control_characters = { $label } cannot contain line breaks or control characters.
field-profile-not_a_date = { $label } must be a date written YYYY-MM-DD.
field-profile-not_a_number = { $label } must be a number.
field-profile-not_an_object = The profile must be an object of fields.
field-profile-not_an_option = { $label } must be one of: { $options }.
field-profile-not_email = { $label } must be an email address.
field-profile-not_text = { $label } must be text.
field-profile-not_url = { $label } must be a web address starting with https://.
field-profile-not_yes_or_no = { $label } must be yes or no.
field-profile-out_of_range = { $label } must be between { $min } and { $max }.
field-profile-pattern = { $label } is not in the expected form.
field-profile-read_only = { $label } cannot be changed here.
field-profile-required = { $label } is required.
field-profile-too_large = The profile is larger than { $n } bytes.
field-profile-too_long = { $label } must be at most { $n } characters.
field-profile-too_short = { $label } must be at least { $n } characters.
field-profile-unknown_field = There is no profile field { $name }.
field-profile-unreadable = The profile could not be read.
field-profile-wrong_type = The profile does not fit the requested type.
field-profile-wrong_value_type = { $label } has the wrong type.
field-provider-invalid_name = a provider name is 1 to 32 characters of a-z, 0-9, - and _
field-provider-last_way_in = this is your only way to sign in: set a password (by a reset link), add a passkey or link another provider first
field-provider-no_email = the provider gave no email address, which a new account needs
field-provider-sign_up_closed = no account is linked to this sign-in, and new accounts cannot be created with it
field-provider-unverified_email_taken = sign in with your password first, then link this provider from your account page
field-roles-invalid = Role { $role } is not valid: use 1 to { $n } of a-z, 0-9, '_', '-', ':'.
field-roles-own_admin = You cannot remove your own admin role.
field-scopes-unknown_scope = { $scope } is not a scope of this site.
field-subject-invalid = the provider's subject is empty, too long or malformed
field-token-sign_in_link = this sign-in link is not valid, has expired or was already used; ask for a new one
field-user-disable_self = You cannot disable your own account.
password-advice-add_a_word = Add another word or two; uncommon words are better.
password-advice-all_uppercase = All-uppercase is almost as easy to guess as all-lowercase.
password-advice-another_word = Add another word or two. Uncommon words are better.
password-advice-capitalization = Capitalization doesn't help very much.
password-advice-few_words = Use a few words, avoid common phrases.
password-advice-longer_keyboard_pattern = Use a longer keyboard pattern with more turns.
password-advice-no_symbols_needed = No need for symbols, digits, or uppercase letters.
password-advice-personal_dates = Avoid dates and years that are associated with you.
password-advice-personal_years = Avoid years that are associated with you.
password-advice-recent_years = Avoid recent years.
password-advice-repeated_words = Avoid repeated words and characters.
password-advice-reversed_words = Reversed words aren't much harder to guess.
password-advice-sequences = Avoid sequences.
password-advice-substitutions = Predictable substitutions like '@' instead of 'a' don't help very much.
password-warning-common = This is a very common password.
password-warning-common_names = Common names and surnames are easy to guess.
password-warning-dates = Dates are often easy to guess.
password-warning-names = Names and surnames by themselves are easy to guess.
password-warning-recent_years = Recent years are easy to guess.
password-warning-repeated_sequences = Repeats like "abcabcabc" are only slightly harder to guess than "abc".
password-warning-repeats = Repeats like "aaa" are easy to guess.
password-warning-sequences = Sequences like abc or 6543 are easy to guess.
password-warning-short_keyboard_patterns = Short keyboard patterns are easy to guess.
password-warning-similar_to_common = This is similar to a commonly used password.
password-warning-single_word = A word by itself is easy to guess.
password-warning-straight_rows = Straight rows of keys are easy to guess.
password-warning-top10 = This is a top-10 common password.
password-warning-top100 = This is a top-100 common password.
## The web layer's own field reasons
field-codes-not_current = not the account's unused recovery codes
field-token_mode-invalid = token_mode is "cookie" (the default) or "bearer".
field-not_a_number = Must be a whole number, such as 0 or 25.
field-offset-out_of_range = Must be at most { $n }.
field-scopes-not_granted = A token may only carry scopes the key (or, for a session, the application) grants.
field-audience-unknown_audience = Tokens are issued for: { $audiences }.
field-expires_in_days-out_of_range = Must be from 1 to { $n } days, or left out for no expiry.
field-expires_at-invalid = Must be a date and time in RFC 3339 form, such as 2027-01-31T00:00:00Z.

# web layer texts
## The web layer's own texts: a flash, the more specific refusals that replace an error's
## message ($reason: a field's reason, $field: a field's name), and the `message` of the
## JSON API's 202 "accepted" answers.

flash-language_saved = Language saved.
refusal-sign-in-email-not-verified = Confirm your email address before signing in: follow the link we sent you, or ask for a new one.
refusal-recovery-codes-not-current = These are not your current recovery codes. Make new ones from your account's two-step sign-in page.
refusal-provider-sign-in-failed = The sign-in with this provider failed or expired. Please try again.
refusal-provider-sign-in-failed-reason = the sign-in failed or expired
refusal-provider-unavailable = The provider could not be reached. Please try again in a moment.
refusal-provider-not-usable-here = This sign-in cannot be used here: { $reason }.
refusal-link-offer-expired = This link offer expired or was already used. Sign in with the provider again.
refusal-passkey-not-accepted = This passkey was not accepted. It may have been removed from your account: sign in another way.
refusal-query-not-usable = The { $field } in the address is not usable: { $reason }
accepted-sign-up = Check your inbox: we sent a link to confirm the address.
accepted-verification-resent = If the address belongs to an account that still needs confirming, a new link is on its way.
accepted-reset-sent = If an account exists for this address, we sent it a link to choose a new password.
accepted-sign-in-code-sent = If an account exists for this address, we sent it a sign-in code and link.
accepted-email-change-sent = We sent a confirmation link to the new address.
