//! One-shot messages carried across a redirect in a cookie. The cookie holds only the
//! code of a [`Flash`], never text, so nobody can make a page say something else.

use std::fmt;
use std::str::FromStr;

use http::HeaderMap;
use serde::Serialize;

use crate::AuthWeb;
use crate::cookies;

/// How long a flash cookie lives, in seconds: long enough for the redirect it rides on.
const FLASH_SECONDS: i64 = 60;

/// A message shown once on the page a redirect leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flash {
    SignedIn,
    SignedOut,
    LoginRequired,
    EmailVerified,
    PasswordReset,
    PasswordChanged,
    ProfileSaved,
    EmailChangeSent,
    EmailChanged,
    SessionRevoked,
    SessionsRevoked,
    AccountDeleted,
    AdminDone,
}

/// How a flash looks: a CSS class of the stylesheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    Success,
    Info,
}

impl Flash {
    const ALL: [Self; 13] = [
        Self::SignedIn,
        Self::SignedOut,
        Self::LoginRequired,
        Self::EmailVerified,
        Self::PasswordReset,
        Self::PasswordChanged,
        Self::ProfileSaved,
        Self::EmailChangeSent,
        Self::EmailChanged,
        Self::SessionRevoked,
        Self::SessionsRevoked,
        Self::AccountDeleted,
        Self::AdminDone,
    ];

    /// The code in the cookie.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "signed_in",
            Self::SignedOut => "signed_out",
            Self::LoginRequired => "login_required",
            Self::EmailVerified => "email_verified",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::ProfileSaved => "profile_saved",
            Self::EmailChangeSent => "email_change_sent",
            Self::EmailChanged => "email_changed",
            Self::SessionRevoked => "session_revoked",
            Self::SessionsRevoked => "sessions_revoked",
            Self::AccountDeleted => "account_deleted",
            Self::AdminDone => "admin_done",
        }
    }

    fn level(self) -> Level {
        match self {
            Self::SignedOut
            | Self::LoginRequired
            | Self::EmailChangeSent
            | Self::AccountDeleted => Level::Info,
            _ => Level::Success,
        }
    }

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
            Self::EmailChangeSent => {
                "Almost done: open the link we sent to your new address to confirm it."
            }
            Self::EmailChanged => "Your email address was changed.",
            Self::SessionRevoked => "That device was signed out.",
            Self::SessionsRevoked => "Every other device was signed out.",
            Self::AccountDeleted => "Your account was deleted. Goodbye!",
            Self::AdminDone => "Done.",
        }
    }

    /// What templates see as `flash`: `code`, `level` and `text`.
    pub(crate) fn view(self) -> FlashView {
        FlashView {
            code: self.as_str(),
            level: self.level(),
            text: self.text(),
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

/// A code that names no flash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnknownFlash;

impl FromStr for Flash {
    type Err = UnknownFlash;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or(UnknownFlash)
    }
}

impl fmt::Display for Flash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A flash as templates see it.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct FlashView {
    code: &'static str,
    level: Level,
    text: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_nothing_else_does() {
        for flash in Flash::ALL {
            assert_eq!(flash.as_str().parse(), Ok(flash));
            assert_eq!(flash.to_string(), flash.as_str());
        }
        for bad in ["", "Signed_in", "signed_in ", "<b>hi</b>"] {
            assert_eq!(bad.parse::<Flash>(), Err(UnknownFlash), "{bad:?}");
        }
    }

    #[test]
    fn the_view_is_what_templates_read() {
        let view = serde_json::to_value(Flash::SignedOut.view()).unwrap();
        assert_eq!(
            view,
            serde_json::json!({ "code": "signed_out", "level": "info", "text": "You have been signed out." })
        );
    }
}
