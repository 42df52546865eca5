//! Mailed links: their token moves out of the URL into a short-lived cookie tagged with
//! the link's [`Purpose`], so it never leaks through Referer or history, and a page says
//! plainly when a link cannot be used.

use auth_core::{Error, Purpose, TokenRejection};
use http::StatusCode;
use serde_json::{Value, json};

use crate::AuthWeb;
use crate::cookies;
use crate::reply::{Reply, Req};

/// The longest link token accepted into a cookie.
const MAX_LINK_TOKEN: usize = 2048;

/// How long a token taken out of a mailed link is kept in its cookie.
pub(crate) const LINK_COOKIE_SECONDS: i64 = 15 * 60;

/// What a link page says about a refused link token.
///
/// Only expiry is told apart, because the person can act on it (ask for a new link) and
/// it leaks nothing: the engine reports `Expired` only for a link it signed, for this
/// flow, whose signature checked out, so the holder learns no more than the link's own
/// `exp` already says. Every other reason (malformed, bad signature, unknown key, wrong
/// flow, already used or superseded) and a missing link share one coarse wording, so a
/// page never tells a forger which check stopped them. The JSON API still carries the
/// precise code for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkRefusal {
    Expired,
    Unusable,
}

impl LinkRefusal {
    pub(crate) fn of(e: &Error) -> Self {
        match e {
            Error::Token {
                reason: TokenRejection::Expired,
                ..
            } => Self::Expired,
            _ => Self::Unusable,
        }
    }
}

impl AuthWeb {
    /// Moves the token of a `purpose` link out of the URL into a short-lived cookie and
    /// redirects to `to` (relative to the mount point), the page that uses it.
    pub(crate) fn stash_link(&self, purpose: Purpose, token: &str, to: &str) -> Reply {
        // Link tokens are JWTs: three non-empty parts of URL-safe base64 joined by dots.
        // Anything else (or anything too big for a cookie) cannot be one; the token-less
        // page then explains the link is invalid.
        let plausible = token.len() <= MAX_LINK_TOKEN
            && token.split('.').count() == 3
            && token.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
            });
        let to = Reply::redirect(&format!("{}{to}", self.inner.prefix));
        if !plausible {
            return to.cookie(self.clear_link());
        }
        to.cookie(cookies::set(
            &self.inner.cookies.link,
            &format!("{purpose}.{token}"),
            self.inner.secure,
            Some(LINK_COOKIE_SECONDS),
        ))
    }

    /// The token stashed for `purpose`, if any.
    pub(crate) fn stashed_link(&self, r: &Req, purpose: Purpose) -> Option<String> {
        let value = cookies::get(&r.headers, &self.inner.cookies.link)?;
        let (p, token) = value.split_once('.')?;
        (Purpose::parse(p) == Some(purpose) && !token.is_empty()).then(|| token.to_owned())
    }

    /// The `Set-Cookie` that drops a stashed link.
    pub(crate) fn clear_link(&self) -> String {
        cookies::remove(&self.inner.cookies.link, self.inner.secure)
    }

    /// The 400 page of a link that cannot be used, its title and text the page texts
    /// `title` and `text`; the stashed token is dropped.
    pub(crate) fn bad_link(
        &self,
        r: &Req,
        title: &str,
        text: &str,
        resend: bool,
        link: Value,
    ) -> Reply {
        self.message(
            r,
            StatusCode::BAD_REQUEST,
            None,
            json!({
                "title": self.text(r, title),
                "paragraphs": [self.text(r, text)],
                "resend": resend,
                "link": link,
            }),
        )
        .cookie(self.clear_link())
    }
}
