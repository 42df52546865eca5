//! The request bodies of the JSON API, typed: what each endpoint reads, field for field,
//! so that the OpenAPI document ([`document`](super::document)) describes them and a Rust
//! program can send them (`serde_json::to_vec(&LoginRequest { .. })`).
//!
//! The endpoints read their fields leniently (see the guide, `docs/web.md`): a JSON
//! `null` is an absent field, a required field that is missing or blank is a `required`
//! error on that field, lists may also be sent as one comma-separated string, and every
//! value is a string, a boolean or a list of strings (numbers are refused). `Debug`
//! shows no field: most of these carry a password, a code or a token.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a sign-in hands over its session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenMode {
    /// In the session cookie (the default).
    #[default]
    Cookie,
    /// In the answer's body (`token`), sent back as `Authorization: Bearer <token>`; no
    /// cookie is set.
    Bearer,
}

/// `POST /api/register`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// The address to confirm.
    pub email: String,
    /// An optional username, also accepted at sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The password.
    pub password: String,
    /// The password again.
    pub password_confirm: String,
    /// Values of the application's profile fields, by name (see `docs/profile.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub profile: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `POST /api/login`: a password sign-in.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The email address or the username.
    pub login: String,
    /// The password.
    pub password: String,
    /// Keep the session for the long lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember: Option<bool>,
    /// `bearer` for the session token in the body instead of a cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_mode: Option<TokenMode>,
}

/// `POST /api/login/second_factor`: the second step of a two-step sign-in.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SecondFactorRequest {
    /// The `pending` token of the first step's `202`.
    pub pending: String,
    /// A code of the authenticator app, or a recovery code.
    pub code: String,
    /// `bearer` for the session token in the body instead of a cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_mode: Option<TokenMode>,
}

/// `POST /api/login/email/code`: sign in with a mailed code.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct EmailCodeSignInRequest {
    /// The address the code was sent to.
    pub email: String,
    /// The mailed code.
    pub code: String,
    /// Keep the session for the long lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember: Option<bool>,
    /// `bearer` for the session token in the body instead of a cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_mode: Option<TokenMode>,
}

/// `POST /api/login/email/link`: sign in with the token of a mailed link.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct EmailLinkSignInRequest {
    /// The token of the mailed link.
    pub token: String,
    /// Keep the session for the long lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember: Option<bool>,
    /// `bearer` for the session token in the body instead of a cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_mode: Option<TokenMode>,
}

/// `POST /api/login/passkey/finish`: the authenticator's answer to a sign-in challenge.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PasskeySignInRequest {
    /// The `challenge` of `POST /api/login/passkey/start`.
    pub challenge: String,
    /// The `PublicKeyCredential` as JSON (`credential.toJSON()`).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
    /// Keep the session for the long lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember: Option<bool>,
    /// `bearer` for the session token in the body instead of a cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_mode: Option<TokenMode>,
}

/// `POST /api/login/second_factor/passkey/start`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PendingRequest {
    /// The `pending` token of the first step's `202`.
    pub pending: String,
}

/// `POST /api/login/second_factor/passkey/finish`: a passkey as the second step.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PasskeySecondFactorRequest {
    /// The `pending` token of the first step's `202`.
    pub pending: String,
    /// The `challenge` of `POST /api/login/second_factor/passkey/start`.
    pub challenge: String,
    /// The `PublicKeyCredential` as JSON (`credential.toJSON()`).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
    /// `bearer` for the session token in the body instead of a cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_mode: Option<TokenMode>,
}

/// An address: `POST /api/login/email`, `/api/verify/resend`, `/api/request_password_reset`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct EmailRequest {
    /// The address.
    pub email: String,
}

/// `POST /api/verify/code`: confirm an address with the mailed code.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct EmailCodeRequest {
    /// The address the code was sent to.
    pub email: String,
    /// The mailed code.
    pub code: String,
}

/// The token of a mailed link: `POST /api/verify`, `/api/email/confirm`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LinkTokenRequest {
    /// The token (the last path segment of the mailed link).
    pub token: String,
}

/// `POST /api/reset_password`: a new password with the token of the mailed link.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ResetPasswordRequest {
    /// The token of the mailed link.
    pub token: String,
    /// The new password.
    pub password: String,
    /// The new password again.
    pub password_confirm: String,
}

/// `POST /api/password/reset/code`: a new password with the mailed code.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CodeResetRequest {
    /// The address the code was sent to.
    pub email: String,
    /// The mailed code.
    pub code: String,
    /// The new password.
    pub password: String,
    /// The new password again.
    pub password_confirm: String,
}

/// `POST /api/account/profile`: the username and profile fields to change.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ProfileRequest {
    /// The new username; blank or absent (with no profile values) removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Values of the application's profile fields, by name (see `docs/profile.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub profile: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `POST /api/account/language`: the language of the account's mails.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LanguageRequest {
    /// An offered language's tag (`de`; `de-AT` is stored as `de`); `null` or blank for
    /// the default language. Anything else is refused on `language`.
    #[serde(default)]
    pub language: Option<String>,
}

/// `POST /api/account/password`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PasswordChangeRequest {
    /// The password in use.
    pub current_password: String,
    /// The new password.
    pub password: String,
    /// The new password again.
    pub password_confirm: String,
}

/// `POST /api/account/email`: a change of address, confirmed by a link to the new one.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct EmailChangeRequest {
    /// The new address.
    pub new_email: String,
    /// The password.
    pub password: String,
}

/// The password that confirms an action: `POST /api/account/delete`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PasswordRequest {
    /// The password.
    pub password: String,
}

/// `POST /api/reauth`: the proof of a re-authentication, the `code` for an account with
/// a second factor, else the `password`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReauthRequest {
    /// The password (accounts without a second factor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// A code of the authenticator app (accounts with a second factor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// A code of the authenticator app: `POST /api/account/second_factor/totp/finish`,
/// `/api/account/second_factor/recovery_codes`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CodeRequest {
    /// The code.
    pub code: String,
}

/// `POST /api/account/second_factor/disable`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DisableSecondFactorRequest {
    /// The password.
    pub password: String,
    /// A code of the authenticator app, or a recovery code.
    pub code: String,
}

/// `POST /api/account/sessions/revoke`: the device to sign out.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RevokeSessionRequest {
    /// The session's `handle` (from `GET /api/account/sessions`).
    pub session: String,
}

/// `POST /api/account/api_keys`: a new API key.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CreateApiKeyRequest {
    /// A name to recognise the key by.
    pub name: String,
    /// Scopes from those the application declares (`GET /api/account/api_keys`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Days until the key expires, 1 to 3650, as text (`"30"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<String>,
    /// When the key expires, RFC 3339 (wins over `expires_in_days`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// The id of a key or passkey: `POST /api/account/api_keys/revoke`,
/// `/api/account/passkeys/remove`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct IdRequest {
    /// The id (from the list).
    pub id: String,
}

/// `POST /api/account/passkeys/register/finish`: the authenticator's new credential.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PasskeyRegisterRequest {
    /// The `challenge` of `POST /api/account/passkeys/register/start`.
    pub challenge: String,
    /// A name to recognise the passkey by.
    pub name: String,
    /// The `PublicKeyCredential` as JSON (`credential.toJSON()`).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// `POST /api/register/passkey/finish`: the new account's first credential.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PasskeySignUpRequest {
    /// The `challenge` of `POST /api/register/passkey/start`.
    pub challenge: String,
    /// The `PublicKeyCredential` as JSON (`credential.toJSON()`).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
    /// A name to recognise the passkey by (a default when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `POST /api/reauth/passkey/finish`: the authenticator's answer to a re-authentication
/// challenge.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PasskeyReauthRequest {
    /// The `challenge` of `POST /api/reauth/passkey/start`.
    pub challenge: String,
    /// The `PublicKeyCredential` as JSON (`credential.toJSON()`).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// `POST /api/account/passkeys/rename`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PasskeyRenameRequest {
    /// The passkey's id.
    pub id: String,
    /// Its new name.
    pub name: String,
}

/// `POST /api/token`: an access token for the caller.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct AccessTokenRequest {
    /// One of the audiences the application issues tokens for (the first when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Scopes the token carries, among those the caller holds (all of them when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

/// `POST /api/oidc/{name}/start`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ProviderStartRequest {
    /// A local path to return to after signing in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `POST /api/oidc/{name}/callback`: the provider's answer, as it came to the redirect URI.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ProviderCallbackRequest {
    /// The `state` parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The `code` parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The `iss` parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The `error` parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `bearer` for the session token in the body instead of a cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_mode: Option<TokenMode>,
}

/// `POST /api/oidc/link`: confirm linking a provider's identity to the signed-in account.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LinkIdentityRequest {
    /// The `link` token of the callback's `202`.
    pub link: String,
}

/// `POST /api/account/identities/unlink`.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UnlinkIdentityRequest {
    /// The provider's name.
    pub provider: String,
    /// The identity's subject at the provider.
    pub subject: String,
}

/// `POST /api/admin/users/{id}/{action}`: `roles` for the action `roles`, `profile` for
/// `profile`, nothing for the others.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct AdminActionRequest {
    /// Every role the user should hold (action `roles`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Profile values to set (action `profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub profile: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `Debug` that names the type and no field (they may be secrets).
macro_rules! opaque_debug {
    ($($t:ty),* $(,)?) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($t)).finish_non_exhaustive()
            }
        }
    )*};
}

opaque_debug!(
    RegisterRequest,
    LoginRequest,
    SecondFactorRequest,
    EmailCodeSignInRequest,
    EmailLinkSignInRequest,
    PasskeySignInRequest,
    PendingRequest,
    PasskeySecondFactorRequest,
    EmailRequest,
    EmailCodeRequest,
    LinkTokenRequest,
    ResetPasswordRequest,
    CodeResetRequest,
    ProfileRequest,
    LanguageRequest,
    PasswordChangeRequest,
    EmailChangeRequest,
    PasswordRequest,
    ReauthRequest,
    CodeRequest,
    DisableSecondFactorRequest,
    RevokeSessionRequest,
    CreateApiKeyRequest,
    IdRequest,
    PasskeyRegisterRequest,
    PasskeySignUpRequest,
    PasskeyReauthRequest,
    PasskeyRenameRequest,
    AccessTokenRequest,
    ProviderStartRequest,
    ProviderCallbackRequest,
    LinkIdentityRequest,
    UnlinkIdentityRequest,
    AdminActionRequest,
);
