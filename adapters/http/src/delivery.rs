//! How a new session reaches the client: the one place where a successful sign-in
//! becomes a session cookie (browsers) or a token in the answer's body (programs that
//! asked for `"token_mode": "bearer"`). Every route that signs someone in hands its
//! [`LoginSuccess`] to [`AuthWeb::deliver_session`], so a later step of a sign-in (a
//! second factor, say) delivers its session the same way.

use auth_core::{LoginSuccess, ValidationErrors};

use crate::AuthWeb;
use crate::credential::Presented;
use crate::fields::Fields;
use crate::reply::{Reply, Req};

/// The field of a sign-in request that chooses how the session is delivered.
pub(crate) const TOKEN_MODE_FIELD: &str = "token_mode";

/// How the client wants its new session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum TokenMode {
    /// In the session cookie (the default, and the only way for pages).
    #[default]
    Cookie,
    /// As a token in the answer's body, sent back as `Authorization: Bearer <token>`;
    /// no cookie is set.
    Bearer,
}

impl TokenMode {
    /// The mode a sign-in request asks for: `token_mode` absent or `cookie`, or
    /// `bearer`.
    ///
    /// # Errors
    /// `fields.token_mode` with code `invalid` for any other value.
    pub(crate) fn of(fields: &Fields) -> Result<Self, ValidationErrors> {
        match fields.get(TOKEN_MODE_FIELD).map(str::trim) {
            None | Some("" | "cookie") => Ok(Self::Cookie),
            Some("bearer") => Ok(Self::Bearer),
            Some(_) => {
                let mut errors = ValidationErrors::new();
                errors.push(
                    TOKEN_MODE_FIELD,
                    "invalid",
                    auth_core::Message::new("field-token_mode-invalid"),
                );
                Err(errors)
            }
        }
    }
}

/// A new session as the client receives it.
#[derive(Debug, Default)]
pub(crate) struct Delivered {
    /// The `Set-Cookie` value (cookie mode).
    cookie: Option<String>,
    /// The session token for the body (bearer mode).
    pub(crate) token: Option<String>,
}

impl Delivered {
    /// `reply` with the session cookie, if the session goes in one.
    pub(crate) fn set_on(self, reply: Reply) -> Reply {
        match self.cookie {
            Some(cookie) => reply.cookie(cookie),
            None => reply,
        }
    }
}

impl AuthWeb {
    /// Hands a new session to the client as `mode` says, after ending the session the
    /// request still presented the same way (a second sign-in must not leave the first
    /// session alive on the server; a program signing in with a bearer token does not
    /// end the browser session of a cookie that came along, nor the other way round).
    pub(crate) async fn deliver_session(
        &self,
        r: &Req,
        success: &LoginSuccess,
        mode: TokenMode,
    ) -> Delivered {
        let previous = match (mode, &r.presented) {
            (TokenMode::Cookie, _) => self.session_token(&r.headers),
            (TokenMode::Bearer, Presented::Bearer(t)) => Some(t.clone()),
            (TokenMode::Bearer, _) => None,
        };
        self.end_previous_session(r, previous).await;
        match mode {
            TokenMode::Cookie => Delivered {
                cookie: Some(self.session_cookie(&success.token, &success.session)),
                token: None,
            },
            TokenMode::Bearer => Delivered {
                cookie: None,
                token: Some(success.token.expose().to_owned()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mode_is_cookie_unless_bearer_is_asked_for() {
        let of = |json: &str| TokenMode::of(&Fields::from_json(json.as_bytes()).unwrap());
        assert_eq!(of("{}"), Ok(TokenMode::Cookie));
        assert_eq!(of(r#"{"token_mode": "cookie"}"#), Ok(TokenMode::Cookie));
        assert_eq!(of(r#"{"token_mode": "bearer"}"#), Ok(TokenMode::Bearer));
        let refused = of(r#"{"token_mode": "jwt"}"#).unwrap_err();
        assert_eq!(
            refused.field(TOKEN_MODE_FIELD).map(|e| e.code),
            Some("invalid")
        );
    }
}
