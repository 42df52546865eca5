//! Access tokens for other services: the core does not sign them (that is the
//! `auth-access-token` crate's work, in the web layer), but it decides whether one may be
//! issued now and keeps the audit trail of every one that is.

use super::effects::Origin;
use super::throttle::Counted;
use super::{Auth, RequestContext};
use crate::error::Result;
use crate::model::{AuditKind, User};

/// An access token about to be issued, as the audit trail records it. It holds no
/// secret: the token's id (`jti`) identifies it without letting anyone use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenIssue<'a> {
    /// The token's id, its `jti` claim.
    pub token_id: &'a str,
    /// The service it is for, its `aud` claim.
    pub audience: &'a str,
    /// The scopes it carries, space-separated (its `scope` claim).
    pub scope: &'a str,
    /// The public prefix of the API key that asked for it; `None` for a session.
    pub api_key: Option<&'a str>,
}

impl Auth {
    /// Counts an access token about to be issued to `user` against
    /// [`RateLimits::token_per_account`](crate::RateLimits::token_per_account) and, when
    /// it is admitted, records [`AuditKind::AccessTokenIssued`].
    ///
    /// # Errors
    /// [`Error::RateLimited`](crate::Error::RateLimited) once the account asked for more
    /// tokens than the limit allows in its window; nothing is recorded then.
    #[tracing::instrument(name = "auth.admit_access_token", skip_all, fields(user_id = %user.id))]
    pub async fn admit_access_token(
        &self,
        user: &User,
        issue: TokenIssue<'_>,
        ctx: &RequestContext,
    ) -> Result<()> {
        let now = self.now();
        self.hit(
            Counted::AccessTokensPerAccount,
            &user.id.to_string(),
            self.inner.config.rate_limits.token_per_account,
            now,
        )
        .await?;
        let via = issue.api_key.map_or_else(
            || "session".to_owned(),
            |prefix| format!("API key {prefix}"),
        );
        let scope = if issue.scope.is_empty() {
            "no scopes"
        } else {
            issue.scope
        };
        let detail = format!(
            "{} for {} ({scope}) by {via}",
            issue.token_id, issue.audience
        );
        self.audit(
            AuditKind::AccessTokenIssued,
            Some(user.id),
            Origin::of(ctx),
            Some(detail),
        )
        .await;
        Ok(())
    }
}
