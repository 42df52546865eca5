# mail: the texts of the mails the toolkit sends (auth-core/src/mail/templates).
# Placeholders: $app (the application's name), $email (the account's address),
# $new_email, $provider, $duration (how long a link or code stays valid, in words).

## Shared by several mails

mail-hello = Hello,
mail-button-fallback = If the button does not work, copy this address into your browser:
mail-nothing-to-do = If this was you, there is nothing to do.
mail-reset-my-password = Reset my password
mail-reset-now = If this was not you, reset your password now.
mail-reset-now-link = If this was not you, reset your password now:
mail-sign-in = Sign in
mail-code-instead = Reading this on another device, or using an app? Enter this code instead:
mail-code-valid = The code is valid for { $duration } and works once.
mail-code-valid-short = It is valid for { $duration } and works once.

## How long a link or code stays valid

mail-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
mail-hours = { $count ->
    [one] { $count } hour
   *[other] { $count } hours
}
mail-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}

## Confirming the address of a new account

mail-verification-subject = Confirm your email address for { $app }
mail-verification-title = Confirm your email address
mail-verification-intro = Please confirm that { $email } is your email address for { $app }.
mail-verification-intro-link = Please confirm that { $email } is your email address for { $app } by opening this link:
mail-verification-button = Confirm email address
mail-verification-valid = The link is valid for { $duration }. If you did not create an account, you can ignore this message.

## Resetting the password

mail-password_reset-subject = Reset your { $app } password
mail-password_reset-title = Reset your password
mail-password_reset-intro = Someone (hopefully you) asked to reset the password of the { $app } account for { $email }.
mail-password_reset-intro-link = Someone (hopefully you) asked to reset the password of the { $app } account for { $email }. To choose a new password, open this link:
mail-password_reset-button = Choose a new password
mail-password_reset-valid = The link is valid for { $duration } and works once. If you did not ask for this, ignore this message: your password stays as it is.

## Confirming a new address

mail-email_change-subject = Confirm your new email address for { $app }
mail-email_change-title = Confirm your new email address
mail-email_change-intro = Please confirm that { $new_email } should become the email address of your { $app } account. Until you do, your account keeps its current address.
mail-email_change-intro-link = Please confirm that { $new_email } should become the email address of your { $app } account by opening this link:
mail-email_change-button = Confirm new address
mail-email_change-valid = The link is valid for { $duration }. If you did not ask for this, ignore this message.
mail-email_change-valid-long = The link is valid for { $duration }. Until you open it, your account keeps its current address. If you did not ask for this, ignore this message.

## Telling the current address about a requested change

mail-email_change_notice-subject = A change of email address was requested for your { $app } account
mail-email_change_notice-title = Email change requested
mail-email_change_notice-body = Someone signed in to your { $app } account ({ $email }) and asked to change its email address. The change takes effect only when the link sent to the new address is opened.
mail-email_change_notice-action = If this was not you, change your password now:

## The password was changed

mail-password_changed-subject = Your { $app } password was changed
mail-password_changed-title = Your password was changed
mail-password_changed-body = The password of your { $app } account ({ $email }) was just changed, and your other sessions were signed out.

## Someone tried to register an address that has an account

mail-account_exists-subject = You already have a { $app } account
mail-account_exists-title = You already have an account
mail-account_exists-body = Someone (hopefully you) tried to create a { $app } account for { $email }, but this address already has an account.
mail-account_exists-to-sign-in = To sign in:
mail-account_exists-forgot = Forgot your password?
mail-account_exists-reset-it = Reset it
mail-account_exists-ignore-short = If this was not you, ignore this message.
mail-account_exists-ignore = If this was not you, you can ignore this message.

## Two-step sign-in

mail-second_factor_enabled-subject = Two-step sign-in is on for your { $app } account
mail-second_factor_enabled-title = Two-step sign-in is on
mail-second_factor_enabled-body = An authenticator app was added to your { $app } account ({ $email }): signing in now needs a code from it (or one of your recovery codes) after the password.
mail-second_factor_disabled-subject = Two-step sign-in was turned off for your { $app } account
mail-second_factor_disabled-title = Two-step sign-in was turned off
mail-second_factor_disabled-body = The authenticator app of your { $app } account ({ $email }) was removed: signing in now needs only the password.
mail-second_factor_disabled-action = If this was not you, reset your password now and turn two-step sign-in on again:
mail-recovery_code_used-subject = A recovery code was used for your { $app } account
mail-recovery_code_used-title = A recovery code was used
mail-recovery_code_used-body = Someone signed in to your { $app } account ({ $email }) with one of its recovery codes instead of a code from the authenticator app. That recovery code cannot be used again.
mail-second_factor_reset-subject = An administrator turned off two-step sign-in for your { $app } account
mail-second_factor_reset-title = An administrator turned off two-step sign-in
mail-second_factor_reset-body = An administrator of { $app } removed the authenticator app of your account ({ $email }), usually because it was lost: signing in now needs only the password. Add an app again from your account settings.
mail-second_factor_reset-action = If you did not ask for this, reset your password now:

## Sign-in providers

mail-identity_linked-subject = A sign-in provider was linked to your { $app } account
mail-identity_linked-heading = A sign-in provider was linked to your account
mail-identity_linked-title = A sign-in provider was linked
mail-identity_linked-body = { $provider } was just linked to your { $app } account ({ $email }): it can now be used to sign in.
mail-identity_linked-advice = If this was not you, sign in, unlink it from your account page and reset your password.
mail-identity_linked-action = If this was not you, sign in, unlink it from your account page and reset your password:
mail-identity_unlinked-subject = A sign-in provider was unlinked from your { $app } account
mail-identity_unlinked-heading = A sign-in provider was unlinked from your account
mail-identity_unlinked-title = A sign-in provider was unlinked
mail-identity_unlinked-body = { $provider } was just unlinked from your { $app } account ({ $email }): it can no longer be used to sign in.
mail-identity_unlinked-if-it-was = If it was, there is nothing to do.

## Signing in by mail

mail-sign_in_code-subject = Your { $app } sign-in code
mail-sign_in_code-title = Your sign-in code
mail-sign_in_code-body = Someone (hopefully you) asked to sign in to the { $app } account for { $email } by email. Your sign-in code is:
mail-sign_in_code-or-link = Or open this link to sign in:
mail-sign_in_code-valid = The code and the link are valid for { $duration }, and either works once. If you did not ask for this, ignore this message: nobody can sign in without it.
