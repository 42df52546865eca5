//! The JSON API of second factors: the code step of a sign-in (`/api/login/second_factor`)
//! and the account's authenticator app (`/api/account/second_factor/...`).

use http::StatusCode;
use serde::Serialize;

use super::ApiFail;
use crate::AuthWeb;
use crate::delivery::TokenMode;
use crate::fields::Fields;
use crate::reply::{Reply, Req};
use crate::responses::UserReply;
use crate::views::rfc3339;

/// `{"second_factor_required": true, "pending", "expires_at"}`: the password was right;
/// send a code with `pending` to `/api/login/second_factor`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PendingReply {
    pub(crate) second_factor_required: bool,
    pub(crate) pending: String,
    pub(crate) expires_at: String,
}

/// `{"secret", "otpauth_url", "issuer", "account"}`: an enrolment waiting for its first
/// code.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct EnrolmentReply {
    secret: String,
    otpauth_url: String,
    issuer: String,
    account: String,
}

/// `{"recovery_codes": [...]}`: new recovery codes, shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct RecoveryCodesReply {
    recovery_codes: Vec<String>,
}

/// `{"enabled", "enrolled_at", "recovery_codes_left"}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct StatusReply {
    enabled: bool,
    enrolled_at: Option<String>,
    recovery_codes_left: usize,
}

impl AuthWeb {
    /// `POST /api/login/second_factor` `{"pending", "code"}`: 200 `{"user", "session"}`
    /// and the session cookie, or with `"token_mode": "bearer"` the token in the body.
    pub(super) async fn api_login_second_factor(
        &self,
        r: &Req,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let mode = TokenMode::of(f)?;
        let success = self
            .inner
            .auth
            .complete_sign_in(&f.text("pending"), &f.text("code"), &r.ctx)
            .await?;
        Ok(self.signed_in_reply(r, &success, mode).await)
    }

    /// `GET /api/account/second_factor`: whether an authenticator app is enrolled, and
    /// how many recovery codes are left.
    pub(super) async fn api_second_factor_status(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let factor = a.user.second_factor.as_ref();
        let body = StatusReply {
            enabled: factor.is_some(),
            enrolled_at: factor.map(|f| rfc3339(f.enrolled_at)),
            recovery_codes_left: factor.map_or(0, |f| f.recovery_codes_left()),
        };
        Ok(Reply::json(StatusCode::OK, &body))
    }

    /// `POST /api/account/second_factor/totp/start`: 200 with the secret to enrol.
    pub(super) async fn api_totp_start(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let e = self.inner.auth.start_totp_enrolment(&a).await?;
        let body = EnrolmentReply {
            secret: e.secret_base32.clone(),
            otpauth_url: e.otpauth_url.clone(),
            issuer: e.issuer.clone(),
            account: e.account.clone(),
        };
        Ok(Reply::json(StatusCode::OK, &body))
    }

    /// `POST /api/account/second_factor/totp/finish` `{"code"}`: 200 with the recovery
    /// codes.
    pub(super) async fn api_totp_finish(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let codes = self
            .inner
            .auth
            .finish_totp_enrolment(&a, &f.text("code"), &r.ctx)
            .await?;
        Ok(recovery_reply(codes.codes()))
    }

    /// `POST /api/account/second_factor/recovery_codes` `{"code"}`: 200 with ten new
    /// recovery codes, the old ones dead.
    pub(super) async fn api_recovery_codes(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let codes = self
            .inner
            .auth
            .regenerate_recovery_codes(&a, &f.text("code"), &r.ctx)
            .await?;
        Ok(recovery_reply(codes.codes()))
    }

    /// `POST /api/account/second_factor/disable` `{"password", "code"}`: 200 `{"user"}`.
    pub(super) async fn api_second_factor_disable(
        &self,
        r: &Req,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let user = self
            .inner
            .auth
            .disable_second_factor(&a, &f.text("password"), &f.text("code"), &r.ctx)
            .await?;
        let body = UserReply::new(&user, self.inner.auth.config().profile());
        Ok(Reply::json(StatusCode::OK, &body))
    }
}

fn recovery_reply(codes: &[String]) -> Reply {
    let body = RecoveryCodesReply {
        recovery_codes: codes.to_vec(),
    };
    Reply::json(StatusCode::OK, &body)
}
