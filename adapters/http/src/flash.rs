//! One-shot messages carried across a redirect in a cookie. The cookie holds only a
//! code from a fixed table, never text, so nobody can make a page say something else.

use http::HeaderMap;
use serde_json::{Value, json};

use crate::AuthWeb;
use crate::cookies;

/// The messages, by code: (level, text). Levels are CSS classes: success, info, error.
const MESSAGES: &[(&str, &str, &str)] = &[
    ("signed_in", "success", "You are signed in."),
    ("signed_out", "info", "You have been signed out."),
    ("login_required", "info", "Please sign in to continue."),
    (
        "email_verified",
        "success",
        "Your email address is confirmed. Thank you!",
    ),
    (
        "password_reset",
        "success",
        "Your password was changed and every device was signed out. Sign in with your new password.",
    ),
    (
        "password_changed",
        "success",
        "Your password was changed. Your other devices were signed out.",
    ),
    ("profile_saved", "success", "Your profile was saved."),
    (
        "email_change_sent",
        "info",
        "Almost done: open the link we sent to your new address to confirm it.",
    ),
    (
        "email_changed",
        "success",
        "Your email address was changed.",
    ),
    ("session_revoked", "success", "That device was signed out."),
    (
        "sessions_revoked",
        "success",
        "Every other device was signed out.",
    ),
    (
        "account_deleted",
        "info",
        "Your account was deleted. Goodbye!",
    ),
    ("admin_done", "success", "Done."),
];

/// A `Set-Cookie` for the flash `code`.
pub(crate) fn set(web: &AuthWeb, code: &str) -> String {
    cookies::set(&web.inner.cookies.flash, code, web.inner.secure, Some(60))
}

/// The flash of the request, if it carries a known code.
pub(crate) fn read(web: &AuthWeb, headers: &HeaderMap) -> Option<(&'static str, Value)> {
    let code = cookies::get(headers, &web.inner.cookies.flash)?;
    MESSAGES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(c, level, text)| (*c, json!({ "code": c, "level": level, "text": text })))
}
