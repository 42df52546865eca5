//! Stand-in providers: real HTTP servers on loopback (axum) that answer as an OpenID
//! provider or as GitHub would, with whatever the test tells them to answer next: the
//! refusals are tested against crafted answers, not against a mocked client.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use openidconnect::core::{
    CoreEdDsaPrivateSigningKey, CoreGenderClaim, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, Audience, EndUserEmail, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId,
    Nonce, PrivateSigningKey as _, StandardClaims, SubjectIdentifier,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The stand-ins' signing key, made for these tests alone (`openssl genpkey -algorithm
/// ed25519`); it signs nothing anywhere else.
const KEY: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEII/MTFQdWqbqAZVP6MlKzZej/7sr5Yn6zRAA0avx+o3p
-----END PRIVATE KEY-----";
/// Another test-only key, which the stand-ins never publish.
const OTHER_KEY: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJrN6kQ6mY5Y8Q9elTlPh0BU2sZwQzTi6NkSRLnamSl0
-----END PRIVATE KEY-----";
/// The published key's id.
pub(crate) const KID: &str = "k1";

/// A test-only Ed25519 key: the published one, or the other one (under `kid`).
pub(crate) fn key(published: bool, kid: &str) -> CoreEdDsaPrivateSigningKey {
    let pem = if published { KEY } else { OTHER_KEY };
    CoreEdDsaPrivateSigningKey::from_ed25519_pem(pem, Some(JsonWebKeyId::new(kid.into()))).unwrap()
}

/// Extra claims of a crafted ID token: Entra ID's tenant id.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Extra {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tid: Option<String>,
}
impl AdditionalClaims for Extra {}

/// What goes into a crafted ID token.
#[derive(Debug, Clone)]
pub(crate) struct Claims {
    pub(crate) iss: String,
    pub(crate) aud: String,
    pub(crate) sub: String,
    pub(crate) email: Option<String>,
    pub(crate) email_verified: bool,
    pub(crate) nonce: Option<String>,
    /// Seconds from now until it expires (negative: expired).
    pub(crate) expires_in: i64,
    pub(crate) tid: Option<String>,
}

impl Claims {
    /// A token the client `rp` should accept: issued by `iss` for `nonce`.
    pub(crate) fn good(iss: &str, nonce: &str) -> Self {
        Self {
            iss: iss.into(),
            aud: "rp".into(),
            sub: "subject-1".into(),
            email: Some("grace@example.test".into()),
            email_verified: true,
            nonce: Some(nonce.into()),
            expires_in: 300,
            tid: None,
        }
    }

    /// Signed (EdDSA) by `key`, as the JWT's compact form.
    pub(crate) fn sign(&self, key: &CoreEdDsaPrivateSigningKey) -> String {
        let now = chrono::Utc::now();
        let mut standard =
            StandardClaims::<CoreGenderClaim>::new(SubjectIdentifier::new(self.sub.clone()));
        if let Some(email) = &self.email {
            standard = standard
                .set_email(Some(EndUserEmail::new(email.clone())))
                .set_email_verified(Some(self.email_verified));
        }
        let claims = IdTokenClaims::new(
            IssuerUrl::new(self.iss.clone()).unwrap(),
            vec![Audience::new(self.aud.clone())],
            now + chrono::Duration::seconds(self.expires_in),
            now - chrono::Duration::seconds(60),
            standard,
            Extra {
                tid: self.tid.clone(),
            },
        )
        .set_nonce(self.nonce.clone().map(Nonce::new));
        let token = IdToken::<
            Extra,
            CoreGenderClaim,
            CoreJweContentEncryptionAlgorithm,
            CoreJwsSigningAlgorithm,
        >::new(claims, key, CoreJwsSigningAlgorithm::EdDsa, None, None)
        .unwrap();
        serde_json::to_value(token)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// An answer the stand-in gives next: status, JSON body, and a delay first.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
    pub(crate) delay: Duration,
}

impl Answer {
    pub(crate) fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            delay: Duration::ZERO,
        }
    }

    pub(crate) fn status(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body,
            delay: Duration::ZERO,
        }
    }

    pub(crate) fn slow(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    async fn send(self) -> Response {
        tokio::time::sleep(self.delay).await;
        (self.status, axum::Json(self.body)).into_response()
    }
}

/// What a stand-in answers, set by the test, and what it was sent.
#[derive(Debug, Default)]
pub(crate) struct Script {
    /// The token endpoint's next answer.
    pub(crate) token: Option<Answer>,
    /// GitHub's `/user` and `/user/emails`.
    pub(crate) user: Option<Answer>,
    pub(crate) emails: Option<Answer>,
    /// The forms the token endpoint received.
    pub(crate) token_forms: Vec<Vec<(String, String)>>,
    /// The `Authorization` and `User-Agent` headers the API received.
    pub(crate) api_headers: Vec<(String, String)>,
}

/// A running stand-in.
pub(crate) struct StandIn {
    pub(crate) base: String,
    pub(crate) script: Arc<Mutex<Script>>,
}

impl StandIn {
    pub(crate) fn set(&self, f: impl FnOnce(&mut Script)) {
        f(&mut self.script.lock().unwrap());
    }
}

#[derive(Clone)]
struct Shared {
    base: String,
    /// The issuer the discovery document states (the base, or a template).
    issuer: String,
    /// Where the document says the token endpoint is.
    token_endpoint: String,
    script: Arc<Mutex<Script>>,
}

async fn listen() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    (listener, format!("http://{addr}"))
}

/// An OpenID provider. `issuer` makes the document's issuer from the base URL (the
/// base itself, or a tenant template); `token_endpoint` from the base too (another
/// address: a token endpoint that is down).
pub(crate) async fn oidc(
    issuer: impl FnOnce(&str) -> String,
    token_endpoint: impl FnOnce(&str) -> String,
) -> StandIn {
    let (listener, base) = listen().await;
    let shared = Shared {
        issuer: issuer(&base),
        token_endpoint: token_endpoint(&base),
        base: base.clone(),
        script: Arc::default(),
    };
    let script = shared.script.clone();
    let app = Router::new()
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .fallback(discovery)
        .with_state(shared);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    StandIn { base, script }
}

/// The discovery document, at `.../.well-known/openid-configuration` under any path
/// (Entra ID's `common/v2.0` is a path below the host).
async fn discovery(State(s): State<Shared>, uri: Uri) -> Response {
    if !uri.path().ends_with("/.well-known/openid-configuration") {
        return StatusCode::NOT_FOUND.into_response();
    }
    axum::Json(json!({
        "issuer": s.issuer,
        "authorization_endpoint": format!("{}/authorize", s.base),
        "token_endpoint": s.token_endpoint,
        "jwks_uri": format!("{}/jwks", s.base),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["EdDSA"],
        "authorization_response_iss_parameter_supported": true,
    }))
    .into_response()
}

async fn jwks() -> Response {
    let public = key(true, KID).as_verification_key();
    axum::Json(json!({ "keys": [public] })).into_response()
}

async fn token(State(s): State<Shared>, Form(form): Form<Vec<(String, String)>>) -> Response {
    let answer = {
        let mut script = s.script.lock().unwrap();
        script.token_forms.push(form);
        script.token.take()
    };
    match answer {
        Some(a) => a.send().await,
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A stand-in for GitHub: `/login/oauth/access_token` (the token endpoint, as GitHub
/// shapes it: errors with status 200), and the REST API under `/api`.
pub(crate) async fn github() -> StandIn {
    let (listener, base) = listen().await;
    let shared = Shared {
        issuer: base.clone(),
        token_endpoint: format!("{base}/login/oauth/access_token"),
        base: base.clone(),
        script: Arc::default(),
    };
    let script = shared.script.clone();
    let app = Router::new()
        .route("/login/oauth/access_token", post(token))
        .route("/api/user", get(user))
        .route("/api/user/emails", get(emails))
        .with_state(shared);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    StandIn { base, script }
}

fn api_answer(s: &Shared, headers: &HeaderMap, pick: fn(&mut Script) -> Option<Answer>) -> Answer {
    let mut script = s.script.lock().unwrap();
    for name in ["authorization", "user-agent"] {
        let value = headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        script.api_headers.push((name.to_owned(), value));
    }
    pick(&mut script).unwrap_or_else(|| {
        Answer::status(
            StatusCode::UNAUTHORIZED,
            json!({ "message": "Bad credentials" }),
        )
    })
}

async fn user(State(s): State<Shared>, headers: HeaderMap) -> Response {
    api_answer(&s, &headers, |script| script.user.clone())
        .send()
        .await
}

async fn emails(State(s): State<Shared>, headers: HeaderMap) -> Response {
    api_answer(&s, &headers, |script| script.emails.clone())
        .send()
        .await
}

/// An address where nothing listens (bound, then closed).
pub(crate) fn dead_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}
