//! Performing the effects of a persisted transition.

use super::{Auth, RequestContext};
use crate::email_code::Code;
use crate::error::Result;
use crate::machine::Effect;
use crate::mail::MailContext;
use crate::model::{AuditEvent, AuditKind, MailKind, User, UserId};
use crate::session::SessionDigest;

/// What the mails of a transition need beyond the user: the action link, the one-time
/// code mailed with it and, for an email change, the new address.
#[derive(Debug, Default)]
pub(super) struct MailLinks {
    pub(super) link: Option<String>,
    pub(super) new_email: Option<String>,
    /// The sign-in provider a link or unlink notice names.
    pub(super) provider: Option<String>,
    /// `Debug` hides it.
    pub(super) code: Option<Code>,
}

/// Who did it and from which session, for effects that depend on the request.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Origin<'a> {
    pub(super) ctx: Option<&'a RequestContext>,
    /// The session the request is about: the one [`Effect::RevokeSession`] ends, or the
    /// one [`Effect::RevokeOtherSessions`] keeps.
    pub(super) session: Option<&'a SessionDigest>,
    /// An administrator acting on someone else's account.
    pub(super) actor: Option<UserId>,
}

impl<'a> Origin<'a> {
    /// A request by the account's owner (or an anonymous visitor).
    pub(super) fn of(ctx: &'a RequestContext) -> Self {
        Self {
            ctx: Some(ctx),
            ..Self::default()
        }
    }
}

impl Auth {
    /// Performs every effect except [`Effect::CreateSession`] (the login flow opens the
    /// session itself, since it returns the id) and [`Effect::DeleteAccount`] (done by
    /// the persisting step; here only the account's picture goes with it).
    pub(super) async fn perform(
        &self,
        user: &User,
        effects: &[Effect],
        origin: Origin<'_>,
        links: MailLinks,
    ) -> Result<()> {
        for effect in effects {
            match effect {
                Effect::CreateSession | Effect::AwaitSecondFactor => {}
                Effect::DeleteAccount => {
                    self.forget_picture(user.id).await;
                    self.forget_identities(user.id).await;
                    self.forget_passkeys(user.id).await;
                }
                Effect::ResetFailures => self.reset_account_failures(user.id).await?,
                Effect::RevokeApiKeys => {
                    self.delete_api_keys_of(user.id, origin).await?;
                }
                Effect::LiftLocks => self.lift_locks(user).await?,
                Effect::RecordProof(method) => {
                    if let Some(digest) = origin.session {
                        self.record_proof(user.id, digest, *method).await?;
                    }
                }
                Effect::Mail(kind) => {
                    let to = match kind {
                        MailKind::EmailChange => links.new_email.as_deref().unwrap_or(&user.email),
                        _ => &user.email,
                    };
                    let email = self.compose(*kind, to, user, &links)?;
                    self.deliver_detached(email).await;
                }
                Effect::RevokeSession
                | Effect::RevokeOtherSessions
                | Effect::RevokeAllSessions
                | Effect::Audit(..) => {
                    self.perform_on_sessions(user.id, effect, origin).await?;
                }
            }
        }
        Ok(())
    }

    /// Ends the sessions that `effects` end, ahead of writing the transition that
    /// decided them (see [`run_event`](Auth::run_event)).
    pub(super) async fn end_sessions_ahead(
        &self,
        user: UserId,
        effects: &[Effect],
        origin: Origin<'_>,
    ) -> Result<()> {
        for effect in effects {
            match effect {
                Effect::RevokeOtherSessions | Effect::RevokeAllSessions => {
                    self.perform_on_sessions(user, effect, origin).await?;
                }
                Effect::RevokeApiKeys => {
                    self.delete_api_keys_of(user, origin).await?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Performs the effects that need only the account's id (ending sessions, the audit
    /// trail): what [`machine::end_sessions`](crate::machine::end_sessions) decides, for
    /// flows that never load the account. Returns how many sessions ended.
    pub(super) async fn perform_on_sessions(
        &self,
        user: UserId,
        effect: &Effect,
        origin: Origin<'_>,
    ) -> Result<u64> {
        let sessions = &self.inner.sessions;
        match effect {
            Effect::RevokeSession => match origin.session {
                Some(digest) => Ok(u64::from(sessions.delete_session(digest).await?)),
                None => Ok(0),
            },
            Effect::RevokeOtherSessions => {
                sessions
                    .delete_sessions_for_user(user, origin.session)
                    .await
            }
            Effect::RevokeAllSessions => sessions.delete_sessions_for_user(user, None).await,
            Effect::Audit(kind, detail) => {
                self.audit(*kind, Some(user), origin, detail.clone()).await;
                Ok(0)
            }
            other => {
                tracing::error!(effect = ?other, "an account effect reached the session performer");
                Ok(0)
            }
        }
    }

    /// Records a fresh proof by `method` on the session `digest` of `user`: its `amr`
    /// gains the method, its `proved_at` becomes now. A session that ended meanwhile (or
    /// is another user's) is left alone.
    async fn record_proof(
        &self,
        user: UserId,
        digest: &SessionDigest,
        method: crate::second_factor::AuthMethod,
    ) -> Result<()> {
        let sessions = &self.inner.sessions;
        let Some(session) = sessions.session(digest).await? else {
            return Ok(());
        };
        if session.user_id != user {
            return Ok(());
        }
        sessions
            .record_session_proof(digest, &session.amr_with(method), self.now())
            .await
            .map(drop)
    }

    /// Composes a message of `kind` about `user`, in the account's language
    /// ([`Auth::account_language`]), or the default language when that is `None`.
    pub(super) fn compose(
        &self,
        kind: MailKind,
        to: &str,
        user: &User,
        links: &MailLinks,
    ) -> Result<crate::model::Email> {
        let config = &self.inner.config;
        let lifetimes = config.tokens.lifetimes();
        let valid_for = match kind {
            MailKind::Verification => Some(lifetimes.verify_email),
            MailKind::PasswordReset => Some(lifetimes.reset_password),
            MailKind::EmailChange => Some(lifetimes.change_email),
            MailKind::SignInCode => Some(config.email_codes.lifetime),
            _ => None,
        };
        let catalogues = &config.catalogues;
        let lang = self
            .account_language(user)
            .unwrap_or_else(|| catalogues.default_language());
        let in_words = |d| crate::mail::duration_in(catalogues, lang, d);
        let ctx = MailContext {
            app_name: config.app_name.clone(),
            email: user.email.clone(),
            new_email: links.new_email.clone(),
            link: links.link.clone(),
            valid_for: valid_for.map(in_words),
            login_link: config.links.login(),
            reset_link: config.links.request_reset(),
            provider: links.provider.clone(),
            code: links.code.as_ref().map(|c| c.as_str().to_owned()),
            code_valid_for: links
                .code
                .as_ref()
                .map(|_| in_words(config.email_codes.lifetime)),
        };
        config.composer.compose(kind, to, lang, &ctx)
    }

    /// Appends to the audit trail and queues the event's webhook calls. A failing audit
    /// sink or outbox does not fail the flow that already happened; it is logged as an
    /// error.
    pub(super) async fn audit(
        &self,
        kind: AuditKind,
        user_id: Option<UserId>,
        origin: Origin<'_>,
        detail: Option<String>,
    ) {
        let event = AuditEvent {
            id: uuid::Uuid::now_v7(),
            at: self.now(),
            kind,
            user_id,
            actor_id: origin.actor,
            ip: origin.ctx.and_then(|c| c.ip).map(|ip| ip.to_string()),
            detail,
        };
        tracing::info!(kind = kind.as_str(), user = ?user_id, actor = ?origin.actor, "auth event");
        if let Err(e) = self.inner.audit.record(&event).await {
            tracing::error!(error = %e, kind = kind.as_str(), "recording an audit event failed");
        }
        self.queue_webhooks(&event).await;
        self.inner.hooks.after_event(&event).await;
    }
}
