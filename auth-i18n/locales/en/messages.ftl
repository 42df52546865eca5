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
error-invalid_credentials = The email, username or password is incorrect.
error-account_locked = Too many failed attempts. Try again in { $wait }.
error-rate_limited = Too many requests. Try again in { $wait }.
error-account_disabled = This account has been disabled.
error-second_factor_required = This account signs in with a second factor.
error-invalid_token = This link is invalid, has expired or was already used.
error-conflict = This { $field } is already taken.
error-stale = The account changed while you were editing it. Reload and try again.
error-unavailable = The service is temporarily unavailable. Please try again shortly.
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
