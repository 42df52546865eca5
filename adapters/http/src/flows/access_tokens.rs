//! Access tokens for other services: `POST /api/token` exchanges the caller's session
//! (cookie or bearer) or API key for a short-lived signed JWT, and
//! `GET /.well-known/jwks.json` (under the mount point, and wherever the application
//! routes [`AuthWeb::jwks_response`]) publishes the keys that verify it.

use std::collections::BTreeSet;

use auth_access_token::{AccessClaims, new_token_id};
use auth_core::{TokenIssue, ValidationErrors};
use bytes::Bytes;
use http::header::CACHE_CONTROL;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use serde::Serialize;

use super::ApiFail;
use crate::AuthWeb;
use crate::access::AccessTokens;
use crate::caller::Caller;
use crate::fields::Fields;
use crate::problem::Problem;
use crate::reply::{Reply, Req};

/// How long clients may cache the JWKS document, in seconds. Keep a retired key
/// published for at least this long plus the longest token lifetime.
pub(crate) const JWKS_MAX_AGE: u64 = 300;

/// `200` of `POST /api/token`, shaped as an OAuth 2.0 token response (RFC 6749 5.1).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct TokenBody {
    access_token: String,
    #[schema(value_type = String, pattern = "^Bearer$")]
    token_type: &'static str,
    expires_in: u64,
    scope: String,
    aud: String,
}

/// The scopes a token asks for: `scopes`, a list (or one comma- or space-separated
/// string); `None` when absent, for everything the caller holds.
fn requested_scopes(f: &Fields) -> Option<BTreeSet<String>> {
    f.get("scopes").map(|s| {
        s.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

impl AuthWeb {
    /// `POST /api/token`: `audience` (optional, one of the configured ones; the first
    /// by default) and `scopes` (optional, a subset of what the caller holds: a key's
    /// scopes, or for a session every scope the application declares). 200
    /// `{"access_token", "token_type": "Bearer", "expires_in", "scope", "aud"}`.
    pub(super) async fn api_token(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let Some(tokens) = &self.inner.access_tokens else {
            return Err(ApiFail::Problem(Problem::not_found()));
        };
        let caller = self
            .caller(r.presented.clone(), r.ctx.ip)
            .await?
            .ok_or(ApiFail::Problem(Problem::unauthenticated()))?;
        if let Caller::Session(a) = &caller {
            self.enforce_enrolment(r, a).map_err(ApiFail::Problem)?;
        }
        let mut errors = ValidationErrors::new();
        let audience = match f.optional("audience") {
            None => tokens.audiences.first().cloned().unwrap_or_default(),
            Some(a) if tokens.audiences.contains(&a) => a,
            Some(_) => {
                errors.push(
                    "audience",
                    "unknown_audience",
                    auth_core::Message::new("field-audience-unknown_audience")
                        .arg("audiences", tokens.audiences.join(", ")),
                );
                String::new()
            }
        };
        let held: BTreeSet<String> = match caller.key() {
            Some(key) => key.scopes.iter().cloned().collect(),
            None => self
                .inner
                .auth
                .config()
                .api_key_scopes()
                .iter()
                .cloned()
                .collect(),
        };
        let scopes = match requested_scopes(f) {
            None => held,
            Some(asked) if asked.is_subset(&held) => asked,
            Some(_) => {
                errors.push(
                    "scopes",
                    "not_granted",
                    auth_core::Message::new("field-scopes-not_granted"),
                );
                BTreeSet::new()
            }
        };
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let body = self.sign(r, tokens, &caller, audience, scopes).await?;
        Ok(Reply::json(StatusCode::OK, &body))
    }

    /// Signs a token for `caller`, once the core admits it (the per-account rate limit)
    /// and has written it to the audit trail.
    async fn sign(
        &self,
        r: &Req,
        tokens: &AccessTokens,
        caller: &Caller,
        aud: String,
        scopes: BTreeSet<String>,
    ) -> Result<TokenBody, ApiFail> {
        let now = u64::try_from(self.inner.auth.now().unix_timestamp()).unwrap_or_default();
        let lifetime = tokens.lifetime.as_secs();
        let user = caller.user();
        let scope = scopes.into_iter().collect::<Vec<_>>().join(" ");
        let claims = AccessClaims {
            iss: tokens.iss().to_owned(),
            sub: user.id.to_string(),
            aud,
            exp: now.saturating_add(lifetime),
            nbf: now,
            iat: now,
            jti: new_token_id(),
            roles: user.roles.clone(),
            scope,
        };
        let api_key = caller.key().map(|k| k.prefix());
        let issue = TokenIssue {
            token_id: &claims.jti,
            audience: &claims.aud,
            scope: &claims.scope,
            api_key: api_key.as_deref(),
        };
        self.inner
            .auth
            .admit_access_token(user, issue, &r.ctx)
            .await?;
        let token = tokens.keys.sign(&claims).map_err(|e| {
            tracing::error!(error = %e, "an access token could not be signed");
            ApiFail::Problem(Problem::internal())
        })?;
        tracing::info!(
            sub = %claims.sub,
            aud = %claims.aud,
            jti = %claims.jti,
            kid = %tokens.keys.current().kid(),
            via = if caller.key().is_some() { "api_key" } else { "session" },
            "access token issued"
        );
        Ok(TokenBody {
            access_token: token,
            token_type: "Bearer",
            expires_in: lifetime,
            scope: claims.scope,
            aud: claims.aud,
        })
    }

    /// `GET /.well-known/jwks.json` under the mount point: the JWKS document.
    pub(super) fn jwks_reply(&self) -> Reply {
        match &self.inner.access_tokens {
            Some(tokens) => {
                let mut reply = Reply::json(StatusCode::OK, &tokens.keys.jwks());
                if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={JWKS_MAX_AGE}")) {
                    reply.headers.insert(CACHE_CONTROL, v);
                }
                reply
            }
            None => Reply::json(StatusCode::NOT_FOUND, &Problem::not_found().to_json()),
        }
    }

    /// The JWKS document (the current and previous public keys of the access tokens,
    /// cacheable for five minutes) as a response, for an application that also serves
    /// it at the site's root, `/.well-known/jwks.json`, where services look first; 404
    /// when the layer issues no access tokens.
    pub fn jwks_response(&self, headers: &HeaderMap) -> Response<Bytes> {
        let r = self.request(
            Method::GET,
            "/.well-known/jwks.json".into(),
            None,
            headers.clone(),
            Bytes::new(),
            None,
        );
        let reply = self.jwks_reply();
        self.finish(&r, reply)
    }
}
