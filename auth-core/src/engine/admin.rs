//! Administration: listing users and acting on accounts. Every call requires the
//! acting user to hold the configured admin role.

use super::effects::{MailLinks, Origin};
use super::{Auth, Authenticated, RequestContext};
use crate::error::{Error, Result};
use crate::machine::{AdminAction, Event};
use crate::model::{AuditEvent, Page, SessionRecord, User, UserId};
use crate::validate::normalize_roles;

/// Events shown on an admin's view of a user.
const ADMIN_EVENTS: u32 = 50;

/// An administrator's view of one account.
#[derive(Debug, Clone)]
pub struct AdminUserView {
    /// The account.
    pub user: User,
    /// Its live sessions.
    pub sessions: Vec<SessionRecord>,
    /// Its newest audit events.
    pub events: Vec<AuditEvent>,
}

impl Auth {
    pub(super) fn require_admin(&self, actor: &Authenticated) -> Result<()> {
        if actor.user.has_role(&self.inner.config.admin_role) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// Users, oldest first, optionally filtered by a search on email and username, and the
    /// total count matching.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for a non-admin.
    pub async fn admin_list_users(
        &self,
        actor: &Authenticated,
        search: Option<&str>,
        page: Page,
    ) -> Result<(Vec<User>, u64)> {
        self.require_admin(actor)?;
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let users = self.inner.users.list_users(search, page).await?;
        let total = self.inner.users.count_users(search).await?;
        Ok((users, total))
    }

    /// One account with its sessions and audit trail.
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::NotFound`].
    pub async fn admin_user(&self, actor: &Authenticated, id: UserId) -> Result<AdminUserView> {
        self.require_admin(actor)?;
        let user = self.load_user(id).await?;
        let sessions = self
            .inner
            .sessions
            .sessions_for_user(id, self.now())
            .await?;
        let events = self.inner.audit.events_for_user(id, ADMIN_EVENTS).await?;
        Ok(AdminUserView {
            user,
            sessions,
            events,
        })
    }

    async fn admin_act(
        &self,
        actor: &Authenticated,
        id: UserId,
        action: AdminAction,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.require_admin(actor)?;
        let user = self.load_user(id).await?;
        let detail = match &action {
            AdminAction::SetRoles(roles) => Some(format!("roles: {}", roles.join(","))),
            _ => None,
        };
        let (user, effects) = self.run_event(user, Event::Admin(action)).await?;
        let origin = Origin {
            ctx: Some(ctx),
            session: None,
            actor: Some(actor.user.id),
        };
        let (audits, others): (Vec<_>, Vec<_>) = effects
            .into_iter()
            .partition(|e| matches!(e, crate::machine::Effect::Audit(_)));
        self.perform(&user, &others, origin, MailLinks::default())
            .await?;
        for effect in audits {
            if let crate::machine::Effect::Audit(kind) = effect {
                self.audit(kind, Some(user.id), origin, detail.clone())
                    .await;
            }
        }
        Ok(())
    }

    fn refuse_self(actor: &Authenticated, id: UserId, what: &str) -> Result<()> {
        if actor.user.id == id {
            Err(Error::invalid(
                "user",
                format!("You cannot {what} your own account."),
            ))
        } else {
            Ok(())
        }
    }

    /// Disables an account and ends its sessions. An admin cannot disable themself.
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::NotFound`], [`Error::Validation`] on oneself.
    pub async fn admin_disable(
        &self,
        actor: &Authenticated,
        id: UserId,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.require_admin(actor)?;
        Self::refuse_self(actor, id, "disable")?;
        self.admin_act(actor, id, AdminAction::Disable, ctx).await
    }

    /// Enables a disabled account.
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::NotFound`].
    pub async fn admin_enable(
        &self,
        actor: &Authenticated,
        id: UserId,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.admin_act(actor, id, AdminAction::Enable, ctx).await
    }

    /// Lifts a lockout.
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::NotFound`].
    pub async fn admin_unlock(
        &self,
        actor: &Authenticated,
        id: UserId,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.admin_act(actor, id, AdminAction::Unlock, ctx).await
    }

    /// Ends every session of an account.
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::NotFound`].
    pub async fn admin_force_logout(
        &self,
        actor: &Authenticated,
        id: UserId,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.admin_act(actor, id, AdminAction::ForceLogout, ctx)
            .await
    }

    /// Replaces an account's roles. An admin cannot remove the admin role from themself.
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::NotFound`], [`Error::Validation`] for bad role names
    /// or self-demotion.
    pub async fn admin_set_roles(
        &self,
        actor: &Authenticated,
        id: UserId,
        roles: Vec<String>,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.require_admin(actor)?;
        let roles = normalize_roles(&roles)?;
        let admin_role = &self.inner.config.admin_role;
        if actor.user.id == id && !roles.contains(admin_role) {
            return Err(Error::invalid(
                "roles",
                "You cannot remove your own admin role.",
            ));
        }
        self.admin_act(actor, id, AdminAction::SetRoles(roles), ctx)
            .await
    }
}
