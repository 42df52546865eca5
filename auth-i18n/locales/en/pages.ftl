# Page texts: the templates' t("...") calls. Message ids are named after the template
# that uses them (login-..., account-...), or common-... when several pages share them.
# Placeholders ({ $name }) are filled in by the template.

## The name of the language, in itself (the language switch in the footer shows it).
language-name = English

## common

common-email = Email
common-confirmed = confirmed
common-not-confirmed = not confirmed
common-username = Username
common-roles = Roles
common-two-step-sign-in = Two-step sign-in
common-on = on
common-make-new-ones = make new ones
common-off = off
common-turn-on-two-step-sign = Turn on two-step sign-in
common-profile = Profile
common-api-keys = API keys
common-name = Name
common-created = Created
common-last-used = Last used
common-action = Action
common-none = none
common-never = never
common-delete-account = Delete account
common-current-password = Current password
common-sign-in-providers = Sign-in providers
common-password = Password
common-email-address = Email address
common-passkeys = Passkeys
common-actions = Actions
common-new-password = New password
common-confirm-new-password = Confirm new password
common-status = Status
common-account = Account
common-cancel = Cancel
common-code-from-your-app = Code from your app
common-device = Device
common-last-active = Last active
common-ip-address = IP address
common-unknown-device = Unknown device
common-sign-out = Sign out
common-all-users = ← All users
common-undelivered-mail = Undelivered mail
common-webhook-deliveries = Webhook deliveries
common-previous = Previous
common-next = Next
common-disabled = disabled
common-active = active
common-sign-in = Sign in
common-create-account = Create account
common-keep-me-signed-in-on = Keep me signed in on this device
common-email-me-a-sign-in = Email me a sign-in code instead
common-or = or
common-email-or-username = Email or username
common-sign-in-with-a-password = Sign in with a password
common-send-a-new-code = Send a new code
common-code = Code
common-the-digits-from-the-email = The digits from the email.
common-use-a-passkey = Use a passkey
common-back-to-sign-in = Back to sign in
common-set-new-password = Set new password
common-confirm-your-email-address = Confirm your email address
common-confirm-my-email-address = Confirm my email address

## account

account-your-account = Your account
account-member-since = Member since
account-send-a-new-confirmation-link = Send a new confirmation link
account-a-code-from-your-authenticator = A code from your authenticator app is asked for after your password. { $recovery_codes_left } of 10 recovery codes left
account-your-password-alone-signs-you = Your password alone signs you in. An authenticator app makes a stolen password useless on its own.
account-manage-two-step-sign-in = Manage two-step sign-in
account-picture = Picture
account-your-picture-is-shown-instead = Your picture is shown instead of your initials.
account-your-initials-are-shown-until = Your initials are shown until you upload a picture.
account-upload-a-picture = Upload a picture
account-png-jpeg-or-webp-up = PNG, JPEG or WebP, up to { $picture_limit }. It is cropped to a square, and only its pixels are kept: no location, camera or other details.
account-upload-picture = Upload picture
account-remove-picture = Remove picture
account-save = Save
account-leave-empty-to-remove-it = Leave empty to remove it.

## account-api-keys

account-api-keys-your-new-api-key = Your new API key
account-api-keys-copy-it-now-this-is = Copy it now: this is the only time it is shown. Keep it as secret as a password.
account-api-keys-programs-send-it-as = Programs send it as
account-api-keys-keys-let-your-scripts-and = Keys let your scripts and programs act for you, within the scopes you choose. Revoke any key you no longer use.
account-api-keys-your-api-keys = Your API keys
account-api-keys-scopes = Scopes
account-api-keys-expires = Expires
account-api-keys-expired = expired
account-api-keys-from = from { $last_used_ip }
account-api-keys-revoke = Revoke
account-api-keys-revoke-all-keys = Revoke all keys
account-api-keys-you-have-no-api-keys = You have no API keys.
account-api-keys-create-a-key = Create a key
account-api-keys-this-site-declares-no-scopes = This site declares no scopes: a key can only identify you.
account-api-keys-create-key = Create key
account-api-keys-what-uses-it-such-as = What uses it, such as “backup script”.

## account-delete

account-delete-this-removes-your-account-and = This removes your account and signs out every device. It cannot be undone.
account-delete-delete-my-account = Delete my account

## account-email

account-email-change-email-address = Change email address
account-email-your-address-is = Your address is
account-email-we-will-send-a-link = . We will send a link to the new address; the change happens when you open it.
account-email-send-confirmation-link = Send confirmation link
account-email-new-email-address = New email address

## account-identities

account-identities-accounts-at-other-providers-you = Accounts at other providers you can sign in with. We mail you a notice whenever one is linked or unlinked.
account-identities-linked-providers = Linked providers
account-identities-provider = Provider
account-identities-address = Address
account-identities-linked = Linked
account-identities-verified = verified
account-identities-unlink = Unlink
account-identities-this-is-your-only-way = This is your only way to sign in: set a password (with “Forgot your password?”), add a passkey or link another provider before unlinking it.
account-identities-no-provider-is-linked-to = No provider is linked to your account.
account-identities-link-another-provider = Link another provider
account-identities-you-will-sign-in-at = You will sign in at the provider, then come back here.
account-identities-link = Link { $label }

## account-layout

account-layout-devices = Devices
account-layout-account-settings = Account settings

## account-passkeys

account-passkeys-a-passkey-signs-you-in = A passkey signs you in with your fingerprint, face or screen lock instead of your password: nothing to type, and nothing a fake site can steal. After your password it also serves as the second step.
account-passkeys-your-passkeys = Your passkeys
account-passkeys-synced = synced
account-passkeys-new-name-for = New name for { $name }
account-passkeys-rename = Rename
account-passkeys-remove = Remove
account-passkeys-removing-a-passkey-asks-you = Removing a passkey asks you to confirm it is you.
account-passkeys-your-password-still-signs-you = Your password still signs you in afterwards.
account-passkeys-your-last-way-to-sign = Your last way to sign in stays: add another passkey, link a provider or set a password (with “Forgot your password?”) before removing it.
account-passkeys-you-have-no-passkeys-yet = You have no passkeys yet.
account-passkeys-add-a-passkey = Add a passkey
account-passkeys-adding-a-passkey-needs-a = Adding a passkey needs a browser with passkey support and JavaScript turned on.
account-passkeys-where-the-passkey-lives-such = Where the passkey lives, such as “MacBook Touch ID” or “Work phone”.

## account-password

account-password-change-password = Change password
account-password-your-other-devices-will-be = Your other devices will be signed out.

## account-recovery-codes

account-recovery-codes-two-step-sign-in-is = Two-step sign-in is on.
account-recovery-codes-save-your-recovery-codes = Save your recovery codes
account-recovery-codes-if-you-lose-your-phone = If you lose your phone, each of these codes signs you in once instead of a code from the app. This is the only time they are shown: download them or write them down, and keep them somewhere safe.
account-recovery-codes-download-as-a-text-file = Download as a text file
account-recovery-codes-i-saved-them = I saved them

## account-second-factor

account-second-factor-on-signing-in-asks-for = On: signing in asks for a code from your authenticator app after your password.
account-second-factor-turned-on = Turned on
account-second-factor-recovery-codes-left = Recovery codes left
account-second-factor-of-10 = { $recovery_codes_left } of 10
account-second-factor-off-your-password-alone-signs = Off: your password alone signs you in.
account-second-factor-add-an-authenticator-app-such = Add an authenticator app (such as Google Authenticator, Microsoft Authenticator, 1Password or Aegis): signing in will then also ask for the six-digit code it shows, so a stolen password is not enough.
account-second-factor-set-up-an-authenticator-app = Set up an authenticator app
account-second-factor-recovery-codes = Recovery codes
account-second-factor-each-recovery-code-signs-you = Each recovery code signs you in once if you lose your phone. Making new ones replaces all of the old ones.
account-second-factor-make-new-recovery-codes = Make new recovery codes
account-second-factor-turn-off-two-step-sign = Turn off two-step sign-in
account-second-factor-your-password-alone-will-sign = Your password alone will sign you in again. We will email you about it.
account-second-factor-current-code = Current code
account-second-factor-from-your-authenticator-app-or = From your authenticator app, or one of your recovery codes.

## account-second-factor-enrol

account-second-factor-enrol-set-up-two-step-sign = Set up two-step sign-in
account-second-factor-enrol-scan-this-qr-code-with = Scan this QR code with your authenticator app.
account-second-factor-enrol-or-if-you-cannot-scan = Or, if you cannot scan, add an account by hand with this key:
account-second-factor-enrol-key = Key
account-second-factor-enrol-issuer = Issuer
account-second-factor-enrol-type = Type
account-second-factor-enrol-time-based-6-digits-every = time-based, 6 digits, every 30 seconds
account-second-factor-enrol-enter-the-code-the-app = Enter the code the app now shows, to finish.
account-second-factor-enrol-enter-the-code-your-authenticator = Enter the code your authenticator app shows now for the account you just added. Lost the QR code? Start again below.
account-second-factor-enrol-start-again-with-a-new = Start again with a new QR code
account-second-factor-enrol-six-digits-nothing-changes-on = Six digits. Nothing changes on your account until this code is right.

## account-sessions

account-sessions-signed-in-devices = Signed-in devices
account-sessions-sign-out-any-device-you = Sign out any device you do not recognise.
account-sessions-active-sessions = Active sessions
account-sessions-signed-in = Signed in
account-sessions-this-device = this device
account-sessions-remembered = remembered
account-sessions-sign-out-all-other-devices = Sign out all other devices

## admin-mail

admin-mail-every-message-was-delivered-or = Every message was delivered or is still being tried.
admin-mail-a-retried-message-goes-out = A retried message goes out with the next delivery pass; links in it may have expired meanwhile. A discarded message is deleted for good.
admin-mail-recipient = Recipient
admin-mail-message-2 = Message
admin-mail-attempts = Attempts
admin-mail-why = Why
admin-mail-queued = Queued
admin-mail-given-up = Given up
admin-mail-retry = Retry
admin-mail-the-message-to = the message to { $to }
admin-mail-discard = Discard
admin-mail-no-undelivered-mail = No undelivered mail.

## admin-webhooks

admin-webhooks-nothing-was-sent-yet = No webhook was queued yet, or the delivered ones were cleared.
admin-webhooks-a-retried-delivery-goes-out = Deliveries are tried again with growing pauses until the attempts run out; only failed ones wait for you. A retried delivery goes out with the next delivery pass, signed anew. A discarded delivery is deleted for good.
admin-webhooks-event = Event
admin-webhooks-endpoint = Endpoint
admin-webhooks-state = Status
admin-webhooks-attempts = Attempts
admin-webhooks-last-outcome = Last outcome
admin-webhooks-queued = Queued
admin-webhooks-next-attempt = Next attempt
admin-webhooks-finished = ended { $at }
admin-webhooks-retry = Retry
admin-webhooks-discard = Discard
admin-webhooks-the-delivery-of = the delivery of { $event } to { $url }
admin-webhooks-no-deliveries = No webhook deliveries.
admin-webhooks-state-pending = Pending
admin-webhooks-state-delivered = Delivered
admin-webhooks-state-failed = Failed

## admin-user

admin-user-id = Id
admin-user-locked = , locked
admin-user-last-sign-in = Last sign-in
admin-user-on-since-recovery-codes-left = on since { $enrolled_at }, { $recovery_codes_left } recovery codes left
admin-user-save-roles = Save roles
admin-user-save-profile = Save profile
admin-user-sessions = Sessions
admin-user-no-active-sessions = No active sessions.
admin-user-recent-activity = Recent activity
admin-user-event = Event
admin-user-when = When
admin-user-nothing-recorded = Nothing recorded.
admin-user-comma-separated-e-g-admin = Comma-separated, e.g. admin, editor.

## admin-users

admin-users-users = Users
admin-users-search-by-email-or-username = Search by email or username
admin-users-search = Search
admin-users-locked = locked
admin-users-unconfirmed = unconfirmed
admin-users-no-users-found = No users found.

## base

base-skip-to-content = Skip to content
base-signed-in-as = Signed in as
base-admin = Admin

## email-confirm

email-confirm-confirm-your-new-address = Confirm your new address
email-confirm-confirm-to-make-this-the = Confirm to make this the email address of your account. You are then signed out on every device; sign in again with the new address.
email-confirm-confirm-new-address = Confirm new address
email-confirm-did-not-ask-for-this = Did not ask for this change? Close this page: the account keeps its address unless you press the button.

## error

error-go-to-the-home-page = Go to the home page

## login

login-welcome-back-to = Welcome back to { $app_name }.
login-forgot-your-password = Forgot your password?
login-sign-in-with-a-passkey = Sign in with a passkey
login-new-here = New here?
login-create-an-account = Create an account

## login-email

login-email-sign-in-by-email = Sign in by email
login-email-we-will-email-you-a = We will email you a sign-in code and a link. No password needed.
login-email-email-me-a-code = Email me a code
login-email-i-already-have-a-code = I already have a code

## login-email-code

login-email-code-enter-your-sign-in-code = Enter your sign-in code
login-email-code-type-the-code-from-the = Type the code from the sign-in email. It works once and expires soon.

## login-email-link

login-email-link-you-followed-a-sign-in = You followed a sign-in link from your email. Press the button to sign in on this device.
login-email-link-did-not-ask-to-sign = Did not ask to sign in? Close this page: nobody is signed in unless you press the button.

## login-second-factor

login-second-factor-your-password-was-right-enter = Your password was right. Enter one of the recovery codes you saved when you turned on two-step sign-in; each code works once.
login-second-factor-your-password-was-right = Your password was right.
login-second-factor-use-one-of-your-passkeys = Use one of your passkeys, or enter the code your authenticator app shows for { $app_name }.
login-second-factor-open-your-authenticator-app-and = Open your authenticator app and enter the code it shows for { $app_name }.
login-second-factor-verify-and-sign-in = Verify and sign in
login-second-factor-use-your-authenticator-app-instead = Use your authenticator app instead
login-second-factor-lost-your-phone = Lost your phone?
login-second-factor-use-a-recovery-code = Use a recovery code
login-second-factor-start-over = Start over
login-second-factor-recovery-code = Recovery code
login-second-factor-like-xxxx-xxxx-xxxx-xxxx = Like XXXX-XXXX-XXXX-XXXX-XXXX-XXXX; dashes and case do not matter.
login-second-factor-six-digits-a-new-one = Six digits. A new one appears every 30 seconds.

## macros

macros-optional = (optional)
macros-continue-with = Continue with { $label }

## message

message-send-a-new-link = Send a new link

## oidc-link

oidc-link-link-to-your-account = Link { $provider_label } to your account
oidc-link-you-are-signed-in-link = You are signed in. Link your { $provider_label } sign-in to this account? You can then sign in with either, and unlink it from your account page.
oidc-link-link = Link { $provider_label }
oidc-link-not-now = Not now
oidc-link-an-account-with-the-address = An account with the address { $provider_label } gave us already exists. To link them, prove that it is yours: sign in to it first.
oidc-link-nothing-is-linked-until-you = Nothing is linked until you confirm on the next page.

## reauth

reauth-confirm-it-is-you = Confirm it is you
reauth-lead-passkey = This action needs a recent proof. Use one of your passkeys.
reauth-confirming-with-a-passkey-needs = Confirming with a passkey needs a browser with passkey support and JavaScript turned on.
reauth-continue = Continue

## register

register-create-your-account = Create your account
register-it-takes-less-than-a = It takes less than a minute.
register-sign-up-with-a-passkey = Sign up with a passkey
register-enter-your-email-address-above = Enter your email address above, then use your fingerprint, face or screen lock instead of a password.
register-already-have-an-account = Already have an account?
register-letters-digits-dots-dashes-and = Letters, digits, dots, dashes and underscores. You can sign in with it instead of your email.
register-confirm-password = Confirm password

## request-reset

request-reset-reset-your-password = Reset your password
request-reset-enter-your-email-address-and = Enter your email address and we will send you a link to choose a new password.
request-reset-send-reset-link = Send reset link

## reset

reset-choose-a-new-password = Choose a new password
reset-after-this-every-device-signed = After this, every device signed in to your account is signed out.

## reset-code

reset-code-reset-with-a-code = Reset with a code
reset-code-type-the-code-from-the = Type the code from the reset email and choose a new password. After this, every device signed in to your account is signed out.

## verify

verify-one-more-step-confirm-that = One more step: confirm that this address is yours to finish setting up the account.
verify-did-not-create-an-account = Did not create an account? Close this page: nothing is confirmed unless you press the button.

## verify-code

verify-code-enter-your-confirmation-code = Enter your confirmation code
verify-code-the-email-we-sent-has = The email we sent has a link and a code. If you cannot open the link on this device, type the code here.

## verify-resend

verify-resend-enter-the-address-you-registered = Enter the address you registered with and we will send you a new confirmation link.
verify-resend-send-link = Send link

## Counted and composed texts

common-password-hint = At least { $min } characters.
register-password-hint = At least { $min } characters. A few unrelated words make a strong password.
account-api-keys-in-7-days = in 7 days
account-api-keys-in-30-days = in 30 days
account-api-keys-in-90-days = in 90 days
account-api-keys-in-a-year = in a year
admin-users-count = { $total ->
    [one] { $total } account.
   *[other] { $total } accounts.
}
admin-users-count-matching = { $total ->
    [one] { $total } account matching “{ $search }”.
   *[other] { $total } accounts matching “{ $search }”.
}
admin-mail-count = { $total ->
    [one] { $total } message could not be delivered and will not be tried again unless you retry it.
   *[other] { $total } messages could not be delivered and will not be tried again unless you retry them.
}
admin-webhooks-count = { $total ->
    [one] { $total } webhook delivery, newest first.
   *[other] { $total } webhook deliveries, newest first.
}
reauth-lead-code-or-passkey = This action needs a recent proof. Use one of your passkeys, or enter a code from your authenticator app, or one of your recovery codes.
reauth-lead-code = This action needs a recent proof. Enter a code from your authenticator app, or one of your recovery codes.
reauth-lead-password-or-passkey = This action needs a recent proof. Use one of your passkeys, or enter your password again.
reauth-lead-password = This action needs a recent proof. Enter your password again.
base-languages = Language

## Page titles (the browser tab), set by the pages' code

title-api-keys = API keys
title-check-your-inbox = Check your inbox
title-choose-a-new-password = Choose a new password
title-confirm-it-is-you = Confirm it is you
title-confirm-your-email-address = Confirm your email address
title-confirm-your-new-address = Confirm your new address
title-devices = Devices
title-link-your-account = Link your account
title-passkeys = Passkeys
title-set-up-two-step-sign-in = Set up two-step sign-in
title-sign-in = Sign in
title-sign-in-providers = Sign-in providers
title-two-step-sign-in = Two-step sign-in
title-undelivered-mail = Undelivered mail
title-webhook-deliveries = Webhook deliveries
title-users = Users
title-your-account = Your account
title-your-recovery-codes = Your recovery codes

## Notices: the pages that say what happened or why a link cannot be used (built by
## the pages' code; $email is the address typed)

notice-sign-up-sent = We sent a link to { $email }. Open it to confirm your address and finish creating your account.
notice-sign-up-nothing-there = Nothing there after a few minutes? Check your spam folder, or ask for a new link below.
notice-enter-the-code-from-the-email = Enter the code from the email
notice-continue-to-sign-in = Continue to sign in
notice-verification-resent = If { $email } belongs to an account that still needs confirming, a new link is on its way.
notice-link-expired = This link has expired
notice-verify-link-expired = Confirmation links work for a limited time. Ask for a new one below.
notice-link-unusable = This link cannot be used
notice-verify-link-unusable = It may have been used already or copied incompletely. Ask for a new confirmation link below.
notice-reset-sent = If an account exists for { $email }, we sent it a link to choose a new password.
notice-reset-nothing-there = The link works once and expires soon. Nothing there? Check your spam folder.
notice-reset-link-expired-title = This reset link has expired
notice-reset-link-expired = Reset links work for a limited time. Ask for a new one.
notice-reset-link-unusable-title = This reset link cannot be used
notice-reset-link-unusable = It may have been used already or copied incompletely. Reset links work once and for a limited time. Ask for a new one.
notice-sign-in-code-sent = If an account exists for { $email }, we sent it a sign-in code and a link.
notice-sign-in-code-how = Open the link on this device, or enter the code. Both work once and expire soon.
notice-enter-the-code = Enter the code
notice-sign-in-link-unusable-title = This sign-in link cannot be used
notice-sign-in-link-unusable = It may have expired, been used already, or been replaced by a newer one. Sign-in links work once and for a limited time. Ask for a new one.
notice-email-link-refused = Start the change of address again from your account settings.
notice-confirmed-address-only = This page is only for accounts with a confirmed email address. Open the link we sent you when you registered.
notice-lost-it = Lost it? Enter your address and we will send a new one.

# web layer texts
## account: the card of the account's language
account-language = Language
account-language-of-your-emails = Language of your emails
account-language-default = Default
account-language-save = Save language
## passkey-script: what the passkey script says when a passkey did not work
passkey-script-not-started = The passkey could not be started.
passkey-script-not-used = No passkey was used. Try again, or use another way.
passkey-script-already-here = This device holds a passkey for this account already.
passkey-script-failed = The passkey did not work. Try again.
passkey-script-name-it = Give the passkey a name.
passkey-script-email-first = Enter your email address first.
## profile-field: the labels of the built-in profile fields (`profile-field-<name>`); an
## application may add its own fields' labels the same way
profile-field-display_name = Display name
profile-field-locale = Language
profile-field-time_zone = Time zone
## device: a device in the lists of sessions ($browser: name and version, $system: the
## operating system)
device-on-system = { $browser } on { $system }
