//! API keys: the account page `/account/api_keys` (list, create with the key shown once,
//! revoke one, revoke all) and the JSON API `GET /api/account/api_keys`,
//! `POST /api/account/api_keys`, `POST /api/account/api_keys/revoke` and
//! `POST /api/account/api_keys/revoke_all`. Only a signed-in session manages keys (a key
//! cannot make or revoke keys).

use auth_core::{ApiKeyRecord, Authenticated, CreatedApiKey, Error, NewApiKey, ValidationErrors};
use http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::ApiFail;
use crate::AuthWeb;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::responses::Revoked;
use crate::templates::Template;
use crate::views::{human_time, rfc3339};

/// What the page's form names the checkbox of a declared scope: `scope:<scope>`.
const SCOPE_FIELD: &str = "scope:";

/// The longest lifetime a key may be given, in days (ten years).
const MAX_LIFETIME_DAYS: u64 = 3650;

/// A key as the API shows it: never its secret or digest.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ApiKeys)]
pub(crate) struct ApiKeys<'a> {
    api_keys: Vec<ApiKeyBody>,
    /// The scopes the application declares.
    #[schema(value_type = Vec<String>)]
    scopes: &'a [String],
}

/// `{"api_key", "key"}`: a key just created, with the whole key shown this once.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CreatedKey {
    api_key: ApiKeyBody,
    key: String,
}

/// A key as the account page shows it: times in words, never its secret or digest.
#[derive(Debug, Serialize)]
struct ApiKeyView {
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

impl ApiKeyView {
    fn new(k: &ApiKeyRecord, now: OffsetDateTime) -> Self {
        Self {
            id: k.id.clone(),
            prefix: k.prefix(),
            name: k.name.clone(),
            scopes: k.scopes.clone(),
            created_at: human_time(k.created_at),
            expires_at: k.expires_at.map(human_time),
            expired: !k.is_live(now),
            last_used_at: k.last_used_at.map(human_time),
            last_used_ip: k.last_used_ip.clone(),
        }
    }
}

/// When a new key expires, from `expires_at` (RFC 3339) or `expires_in_days` (1 to 3650,
/// as text, what a form's choice sends); neither for a key that does not expire.
fn expiry(f: &Fields, now: OffsetDateTime) -> Result<Option<OffsetDateTime>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let days = f.whole_number("expires_in_days")?;
    if days.is_some_and(|d| d == 0 || d > MAX_LIFETIME_DAYS) {
        errors.push(
            "expires_in_days",
            "out_of_range",
            auth_core::Message::new("field-expires_in_days-out_of_range")
                .arg("n", MAX_LIFETIME_DAYS),
        );
    }
    let at = match f.optional("expires_at") {
        None => None,
        Some(text) => match OffsetDateTime::parse(&text, &Rfc3339) {
            Ok(at) => Some(at),
            Err(_) => {
                errors.push(
                    "expires_at",
                    "invalid",
                    auth_core::Message::new("field-expires_at-invalid"),
                );
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let by_days = days.map(|d| now + Duration::days(i64::try_from(d).unwrap_or(i64::MAX)));
    Ok(at.or(by_days))
}

/// What `POST /api/account/api_keys` reads: `name`, `scopes` (a list), and the expiry
/// ([`expiry`]).
fn new_key(f: &Fields, now: OffsetDateTime) -> Result<NewApiKey, ValidationErrors> {
    let expires_at = expiry(f, now)?;
    let scopes = f
        .get("scopes")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(NewApiKey {
        name: f.text("name"),
        scopes,
        expires_at,
    })
}

/// What the page's form posts: `name`, a checkbox `scope:<scope>` per declared scope, and
/// `expires_in_days` (a choice, empty for no expiry).
fn new_key_from_form(
    f: &Fields,
    declared: &[String],
    now: OffsetDateTime,
) -> Result<NewApiKey, ValidationErrors> {
    let expires_at = expiry(f, now)?;
    let scopes = declared
        .iter()
        .filter(|s| f.flag(&format!("{SCOPE_FIELD}{s}")))
        .cloned()
        .collect();
    Ok(NewApiKey {
        name: f.text("name"),
        scopes,
        expires_at,
    })
}

impl AuthWeb {
    /// `GET /account/api_keys`: the keys, and the form that creates one.
    pub(super) async fn api_keys_page(&self, r: &Req) -> Reply {
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        match self.api_keys_context(&a, None, json!({})).await {
            Ok(ctx) => self.page(
                r,
                StatusCode::OK,
                Template::AccountApiKeys,
                Some(&a.user),
                ctx,
            ),
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    /// What the page shows: the keys, the declared scopes, the key just created (shown
    /// this once) and the form's `values`.
    async fn api_keys_context(
        &self,
        a: &Authenticated,
        created: Option<&CreatedApiKey>,
        values: Value,
    ) -> Result<Value, Error> {
        let keys = self.inner.auth.api_keys(a).await?;
        let now = self.inner.auth.now();
        let keys: Vec<ApiKeyView> = keys.iter().map(|k| ApiKeyView::new(k, now)).collect();
        let created = created.map(|c| {
            json!({
                "key": c.token.expose(),
                "name": c.record.name,
                "prefix": c.record.prefix(),
            })
        });
        Ok(json!({
            "section": "api_keys",
            "api_keys": keys,
            "scopes": self.inner.auth.config().api_key_scopes(),
            "created": created,
            "values": values,
        }))
    }

    /// `POST /account/api_keys`: creates a key and shows the page with the whole key,
    /// this once (never in a redirect, a cookie or a log); or the form again with its
    /// problem.
    pub(super) async fn api_key_create_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let declared = self.inner.auth.config().api_key_scopes();
        let created = match new_key_from_form(&fields, declared, self.inner.auth.now()) {
            Ok(input) => self.inner.auth.create_api_key(&a, input, &r.ctx).await,
            Err(errors) => Err(Error::Validation(errors)),
        };
        let reply = match created {
            Ok(created) => self
                .api_keys_context(&a, Some(&created), json!({}))
                .await
                .map(|ctx| {
                    self.page(
                        r,
                        StatusCode::OK,
                        Template::AccountApiKeys,
                        Some(&a.user),
                        ctx,
                    )
                }),
            Err(refused) => {
                let checked: Vec<&String> = declared
                    .iter()
                    .filter(|s| fields.flag(&format!("{SCOPE_FIELD}{s}")))
                    .collect();
                let values = json!({
                    "name": fields.text("name"),
                    "expires_in_days": fields.text("expires_in_days"),
                    "scopes": checked,
                });
                let p = Problem::from_error(&refused);
                self.api_keys_context(&a, None, values)
                    .await
                    .map(|ctx| self.form_problem(r, Template::AccountApiKeys, Some(&a), &p, ctx))
            }
        };
        reply.unwrap_or_else(|e| self.problem(r, &Problem::from_error(&e)))
    }

    /// `POST /account/api_keys/revoke` with `id`: back to the page, the key gone.
    pub(super) async fn api_key_revoke_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let id = fields.text("id");
        match self.inner.auth.revoke_api_key(&a, &id, &r.ctx).await {
            Ok(()) => self.to_api_keys(Flash::ApiKeyRevoked),
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    /// `POST /account/api_keys/revoke_all`: back to the page, every key gone.
    pub(super) async fn api_keys_revoke_all_post(&self, r: &Req) -> Reply {
        let a = match self.account_form(r).await {
            Ok((_, a)) => a,
            Err(reply) => return reply,
        };
        match self.inner.auth.revoke_api_keys(&a, &r.ctx).await {
            Ok(_) => self.to_api_keys(Flash::ApiKeysRevoked),
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    fn to_api_keys(&self, flash: Flash) -> Reply {
        Reply::redirect(&format!("{}/account/api_keys", self.inner.prefix))
            .cookie(flash.cookie(self))
    }

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
