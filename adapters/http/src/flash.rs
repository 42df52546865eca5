//! One-shot messages carried across a redirect in a cookie. The cookie holds only the
//! code of a [`Flash`], never text, so nobody can make a page say something else.

use auth_core::Catalogues;
use http::HeaderMap;
use serde::Serialize;

use crate::AuthWeb;
use crate::cookies;
use crate::names::named;

/// How long a flash cookie lives, in seconds: long enough for the redirect it rides on.
const FLASH_SECONDS: i64 = 60;

named! {
    /// A message shown once on the page a redirect leads to; its name is the code in the
    /// cookie.
    pub(crate) enum Flash {
        SignedIn => "signed_in",
        SignedOut => "signed_out",
        LoginRequired => "login_required",
        EmailVerified => "email_verified",
        PasswordReset => "password_reset",
        PasswordChanged => "password_changed",
        ProfileSaved => "profile_saved",
        LanguageSaved => "language_saved",
        PictureSaved => "picture_saved",
        PictureRemoved => "picture_removed",
        EmailChangeSent => "email_change_sent",
        EmailChanged => "email_changed",
        SessionRevoked => "session_revoked",
        SessionsRevoked => "sessions_revoked",
        ApiKeyRevoked => "api_key_revoked",
        ApiKeysRevoked => "api_keys_revoked",
        AccountDeleted => "account_deleted",
        AdminDone => "admin_done",
        SignInExpired => "sign_in_expired",
        SecondFactorDisabled => "second_factor_disabled",
        Reauthenticated => "reauthenticated",
        PasskeyAdded => "passkey_added",
        PasskeyRenamed => "passkey_renamed",
        PasskeyRemoved => "passkey_removed",
        IdentityLinked => "identity_linked",
        IdentityUnlinked => "identity_unlinked",
    }
}

/// How a flash looks: a CSS class of the stylesheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    Success,
    Info,
}

impl Flash {
    fn level(self) -> Level {
        match self {
            Self::SignedOut
            | Self::LoginRequired
            | Self::EmailChangeSent
            | Self::AccountDeleted
            | Self::SignInExpired => Level::Info,
            _ => Level::Success,
        }
    }

    /// The English text; the catalogues' `flash-<code>` has it in every language.
    #[cfg(test)]
    fn text(self) -> &'static str {
        match self {
            Self::SignedIn => "You are signed in.",
            Self::SignedOut => "You have been signed out.",
            Self::LoginRequired => "Please sign in to continue.",
            Self::EmailVerified => "Your email address is confirmed. Thank you!",
            Self::PasswordReset => {
                "Your password was changed and every device was signed out. Sign in with your new password."
            }
            Self::PasswordChanged => {
                "Your password was changed. Your other devices were signed out."
            }
            Self::ProfileSaved => "Your profile was saved.",
            Self::LanguageSaved => "Language saved.",
            Self::PictureSaved => "Your picture was saved.",
            Self::PictureRemoved => "Your picture was removed.",
            Self::EmailChangeSent => {
                "Almost done: open the link we sent to your new address to confirm it."
            }
            Self::EmailChanged => "Your email address was changed.",
            Self::SessionRevoked => "That device was signed out.",
            Self::SessionsRevoked => "Every other device was signed out.",
            Self::ApiKeyRevoked => "That API key was revoked. Programs using it are refused.",
            Self::ApiKeysRevoked => "Every API key was revoked.",
            Self::AccountDeleted => "Your account was deleted. Goodbye!",
            Self::AdminDone => "Done.",
            Self::SignInExpired => {
                "That sign-in expired or was already used. Please sign in again."
            }
            Self::SecondFactorDisabled => {
                "Two-step sign-in is off: your password alone signs you in now."
            }
            Self::Reauthenticated => "Thank you. You can go ahead now.",
            Self::PasskeyAdded => "Your passkey was added: it signs you in from now on.",
            Self::PasskeyRenamed => "Your passkey was renamed.",
            Self::PasskeyRemoved => "Your passkey was removed.",
            Self::IdentityLinked => {
                "The provider was linked: you can sign in with it now. We sent you a notice."
            }
            Self::IdentityUnlinked => "The provider was unlinked. We sent you a notice.",
        }
    }

    /// What templates see as `flash`: `code`, `level` and `text` (in `lang`).
    pub(crate) fn view(self, catalogues: &Catalogues, lang: &str) -> FlashView {
        FlashView {
            code: self.as_str(),
            level: self.level(),
            text: catalogues.text(lang, &format!("flash-{}", self.as_str()), None),
        }
    }

    /// The `Set-Cookie` that carries this flash to the next page.
    pub(crate) fn cookie(self, web: &AuthWeb) -> String {
        cookies::set(
            &web.inner.cookies.flash,
            self.as_str(),
            web.inner.secure,
            Some(FLASH_SECONDS),
        )
    }

    /// The flash of the request, if it carries a known code.
    pub(crate) fn of_request(web: &AuthWeb, headers: &HeaderMap) -> Option<Self> {
        cookies::get(headers, &web.inner.cookies.flash)?
            .parse()
            .ok()
    }
}

/// A flash as templates see it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FlashView {
    code: &'static str,
    level: Level,
    text: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::UnknownName;

    #[test]
    fn every_code_reads_back_and_nothing_else_does() {
        for code in [
            "signed_in",
            "login_required",
            "email_change_sent",
            "admin_done",
        ] {
            let flash: Flash = code.parse().unwrap();
            assert_eq!((flash.as_str(), flash.to_string()), (code, code.to_owned()));
        }
        for bad in ["", "Signed_in", "signed_in ", "<b>hi</b>"] {
            assert_eq!(bad.parse::<Flash>(), Err(UnknownName), "{bad:?}");
        }
    }

    #[test]
    fn the_view_is_what_templates_read() {
        let c = Catalogues::shipped();
        let view = serde_json::to_value(Flash::SignedOut.view(&c, "en")).unwrap();
        assert_eq!(
            view,
            serde_json::json!({ "code": "signed_out", "level": "info", "text": "You have been signed out." })
        );
        let de = Flash::SignedOut.view(&c, "de").text;
        assert_ne!(de, "You have been signed out.");
    }

    /// The catalogue's English is the text every flash has always had.
    #[test]
    fn the_english_catalogue_keeps_every_text() {
        let c = Catalogues::shipped();
        for code in [
            "signed_in",
            "signed_out",
            "login_required",
            "email_verified",
            "password_reset",
            "password_changed",
            "profile_saved",
            "language_saved",
            "picture_saved",
            "picture_removed",
            "email_change_sent",
            "email_changed",
            "session_revoked",
            "sessions_revoked",
            "api_key_revoked",
            "api_keys_revoked",
            "account_deleted",
            "admin_done",
            "sign_in_expired",
            "second_factor_disabled",
            "reauthenticated",
            "passkey_added",
            "passkey_renamed",
            "passkey_removed",
            "identity_linked",
            "identity_unlinked",
        ] {
            let flash: Flash = code.parse().unwrap();
            assert_eq!(flash.view(&c, "en").text, flash.text(), "{flash}");
        }
    }
}
