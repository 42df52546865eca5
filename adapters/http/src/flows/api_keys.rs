//! API keys in the JSON API: `GET /api/account/api_keys`, `POST /api/account/api_keys`,
//! `POST /api/account/api_keys/revoke` and `POST /api/account/api_keys/revoke_all`.
//! Only a signed-in session manages keys (a key cannot make or revoke keys).

use auth_core::{ApiKeyRecord, NewApiKey, ValidationErrors};
use http::StatusCode;
use serde::Serialize;
use time::Duration;

use super::ApiFail;
use crate::AuthWeb;
use crate::fields::Fields;
use crate::reply::{Reply, Req};
use crate::responses::Revoked;
use crate::views::rfc3339;
use time::format_description::well_known::Rfc3339;

/// The longest lifetime a key may be given, in days (ten years).
const MAX_LIFETIME_DAYS: u64 = 3650;

/// A key as the API shows it: never its secret or digest.
#[derive(Debug, Serialize)]
struct ApiKeyBody {
    id: String,
    prefix: String,
    name: String,
    scopes: Vec<String>,
    created_at: String,
    expires_at: Option<String>,
    expired: bool,
    last_used_at: Option<String>,
    last_used_ip: Option<String>,
}

impl ApiKeyBody {
    fn new(k: &ApiKeyRecord, now: time::OffsetDateTime) -> Self {
        Self {
            id: k.id.clone(),
            prefix: k.prefix(),
            name: k.name.clone(),
            scopes: k.scopes.clone(),
            created_at: rfc3339(k.created_at),
            expires_at: k.expires_at.map(rfc3339),
            expired: !k.is_live(now),
            last_used_at: k.last_used_at.map(rfc3339),
            last_used_ip: k.last_used_ip.clone(),
        }
    }
}

/// `{"api_keys": [...], "scopes": [...]}`: the keys, and the scopes a new one may carry.
#[derive(Debug, Serialize)]
struct ApiKeys<'a> {
    api_keys: Vec<ApiKeyBody>,
    scopes: &'a [String],
}

/// `{"api_key", "key"}`: a key just created, with the whole key shown this once.
#[derive(Serialize)]
struct CreatedKey {
    api_key: ApiKeyBody,
    key: String,
}

/// What `POST /api/account/api_keys` reads: `name`, `scopes` (a list), and when it
/// expires: `expires_at` (RFC 3339) or `expires_in_days` (1 to 3650, as text, what a
/// form's choice sends); neither for a key that does not expire.
fn new_key(f: &Fields, now: time::OffsetDateTime) -> Result<NewApiKey, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let days = f.whole_number("expires_in_days")?;
    if days.is_some_and(|d| d == 0 || d > MAX_LIFETIME_DAYS) {
        errors.push(
            "expires_in_days",
            "out_of_range",
            format!("Must be from 1 to {MAX_LIFETIME_DAYS} days, or left out for no expiry."),
        );
    }
    let at = match f.optional("expires_at") {
        None => None,
        Some(text) => match time::OffsetDateTime::parse(&text, &Rfc3339) {
            Ok(at) => Some(at),
            Err(_) => {
                errors.push(
                    "expires_at",
                    "invalid",
                    "Must be a date and time in RFC 3339 form, such as 2027-01-31T00:00:00Z.",
                );
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let scopes = f
        .get("scopes")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let by_days = days.map(|d| now + Duration::days(i64::try_from(d).unwrap_or(i64::MAX)));
    Ok(NewApiKey {
        name: f.text("name"),
        scopes,
        expires_at: at.or(by_days),
    })
}

impl AuthWeb {
    /// `GET /api/account/api_keys`: 200 `{"api_keys", "scopes"}`.
    pub(super) async fn api_api_keys(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let keys = self.inner.auth.api_keys(&a).await?;
        let now = self.inner.auth.now();
        let body = ApiKeys {
            api_keys: keys.iter().map(|k| ApiKeyBody::new(k, now)).collect(),
            scopes: self.inner.auth.config().api_key_scopes(),
        };
        Ok(Reply::json(StatusCode::OK, &body))
    }

    /// `POST /api/account/api_keys`: 201 `{"api_key", "key"}`, the key shown once.
    pub(super) async fn api_create_api_key(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let input = new_key(f, self.inner.auth.now())?;
        let created = self.inner.auth.create_api_key(&a, input, &r.ctx).await?;
        let body = CreatedKey {
            api_key: ApiKeyBody::new(&created.record, self.inner.auth.now()),
            key: created.token.expose().to_owned(),
        };
        Ok(Reply::json(StatusCode::CREATED, &body))
    }

    /// `POST /api/account/api_keys/revoke` with `id`: 204, or 404 for no key of theirs.
    pub(super) async fn api_revoke_api_key(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let id = f.text("id");
        self.inner.auth.revoke_api_key(&a, &id, &r.ctx).await?;
        Ok(Reply::new(StatusCode::NO_CONTENT))
    }

    /// `POST /api/account/api_keys/revoke_all`: 200 `{"revoked": n}`.
    pub(super) async fn api_revoke_api_keys(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let revoked = self.inner.auth.revoke_api_keys(&a, &r.ctx).await?;
        Ok(Reply::json(StatusCode::OK, &Revoked { revoked }))
    }
}
