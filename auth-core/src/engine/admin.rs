//! Administration: listing users and acting on accounts. Every call requires the
//! acting user to hold the configured admin role.

use super::effects::{MailLinks, Origin};
use super::{Auth, Authenticated, RequestContext};
use crate::error::{Error, Message, Result};
use crate::machine::{AdminAction, Event};
use crate::model::{AccountStatus, AuditEvent, Page, SessionRecord, User, UserId};
use crate::profile::{ProfileUpdate, Writer};
use crate::store::UserSearch;
use crate::validate::normalize_roles;

/// Events shown on an admin's view of a user.
const ADMIN_EVENTS: u32 = 50;
/// The counter-store key of the lease that serialises actions which can take admin
/// rights away (disabling an account, replacing its roles), across every instance.
const RIGHTS_LEASE: &str = "lease:admin-rights";
/// How long the lease is held at most, should its holder die before releasing it.
const RIGHTS_LEASE_TTL: time::Duration = time::Duration::seconds(10);
/// How often, and how far apart, a busy lease is asked for again before giving up.
const RIGHTS_LEASE_TRIES: u32 = 50;
const RIGHTS_LEASE_PAUSE: std::time::Duration = std::time::Duration::from_millis(20);

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

    /// An administrator's action on an account: the admin role, and a recent proof on
    /// the acting session (step-up; see [`Auth::require_recent_proof`]).
    async fn require_admin_action(&self, actor: &Authenticated) -> Result<()> {
        self.require_admin(actor)?;
        self.admit_sensitive(&actor.user, actor, &[]).await
    }

    /// Users, oldest first, optionally filtered by a search on email, username and the
    /// searchable profile fields, and the total count matching.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for a non-admin.
    #[tracing::instrument(name = "auth.admin_list_users", skip_all, fields(user_id = %actor.user.id))]
    pub async fn admin_list_users(
        &self,
        actor: &Authenticated,
        search: Option<&str>,
        page: Page,
    ) -> Result<(Vec<User>, u64)> {
        self.require_admin(actor)?;
        self.list_users(search, page).await
    }

    /// [`Auth::admin_list_users`] without the check of who asks: the search also matches
    /// the profile fields the schema marks searchable.
    pub(super) async fn list_users(
        &self,
        search: Option<&str>,
        page: Page,
    ) -> Result<(Vec<User>, u64)> {
        let fields = self.inner.config.profile.searchable();
        let search = search
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|text| UserSearch {
                text,
                profile_fields: &fields,
            });
        let users = self.inner.users.list_users(search.as_ref(), page).await?;
        let total = self.inner.users.count_users(search.as_ref()).await?;
        Ok((users, total))
    }

    /// One account with its sessions and audit trail.
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::NotFound`].
    #[tracing::instrument(name = "auth.admin_user", skip_all, fields(user_id = %actor.user.id, target = %id))]
    pub async fn admin_user(&self, actor: &Authenticated, id: UserId) -> Result<AdminUserView> {
        self.require_admin(actor)?;
        self.user_view(id).await
    }

    /// [`Auth::admin_user`] without the check of who asks.
    pub(super) async fn user_view(&self, id: UserId) -> Result<AdminUserView> {
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
        self.require_admin_action(actor).await?;
        let user = self.load_user(id).await?;
        let origin = Origin {
            actor: Some(actor.user.id),
            ..Origin::of(ctx)
        };
        let (user, effects) = self.run_event(user, Event::Admin(action), origin).await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await
    }

    /// Runs an action that may take admin rights away, holding the rights lease, and only
    /// if the actor is still an active administrator once the lease is held.
    ///
    /// Administrators can never act on their own rights (see [`Self::refuse_self`]), so
    /// the actor keeps them: there is always one active administrator left, even when two
    /// disable or demote each other at the same moment on different instances (the
    /// second finds that it lost its rights and is refused).
    async fn act_on_rights(
        &self,
        actor: &Authenticated,
        id: UserId,
        action: AdminAction,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.take_rights_lease().await?;
        let outcome = async {
            let fresh = self.load_user(actor.user.id).await?;
            if fresh.status != AccountStatus::Active
                || !fresh.has_role(&self.inner.config.admin_role)
            {
                return Err(Error::Forbidden);
            }
            self.admin_act(actor, id, action, ctx).await
        }
        .await;
        if let Err(e) = self.inner.counters.reset_counter(RIGHTS_LEASE).await {
            tracing::error!(error = %e, "releasing the admin-rights lease failed; it expires by itself");
        }
        outcome
    }

    async fn take_rights_lease(&self) -> Result<()> {
        for _ in 0..RIGHTS_LEASE_TRIES {
            let lease = self
                .inner
                .counters
                .increment(RIGHTS_LEASE, RIGHTS_LEASE_TTL, self.now())
                .await?;
            if lease.count == 1 {
                return Ok(());
            }
            tokio::time::sleep(RIGHTS_LEASE_PAUSE).await;
        }
        Err(Error::StaleVersion)
    }

    fn refuse_self(actor: &Authenticated, id: UserId) -> Result<()> {
        if actor.user.id == id {
            Err(Error::invalid(
                "user",
                Message::new("field-user-disable_self"),
            ))
        } else {
            Ok(())
        }
    }

    /// Writes profile fields of an account: any declared field, admin-only ones
    /// included, also on a disabled account. Validated like every profile write.
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::NotFound`], [`Error::Validation`] on the fields.
    #[tracing::instrument(name = "auth.admin_update_profile", skip_all, fields(user_id = %actor.user.id, target = %id))]
    pub async fn admin_update_profile(
        &self,
        actor: &Authenticated,
        id: UserId,
        update: &ProfileUpdate,
        ctx: &RequestContext,
    ) -> Result<User> {
        self.require_admin_action(actor).await?;
        let changes = self.inner.config.profile.validate(update, Writer::Admin)?;
        let user = self.load_user(id).await?;
        let origin = Origin {
            actor: Some(actor.user.id),
            ..Origin::of(ctx)
        };
        let event = Event::ProfileChanged {
            changes,
            by_admin: true,
        };
        let (user, effects) = self.run_event(user, event, origin).await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(user)
    }

    /// Disables an account and ends its sessions. An admin cannot disable themself, and
    /// the last active administrator can never be disabled (see `act_on_rights`).
    ///
    /// # Errors
    /// [`Error::Forbidden`] (also when the actor lost its rights meanwhile),
    /// [`Error::NotFound`], [`Error::Validation`] on oneself, [`Error::StaleVersion`]
    /// when another such action kept the instances busy for a second.
    #[tracing::instrument(name = "auth.admin_disable", skip_all, fields(user_id = %actor.user.id, target = %id))]
    pub async fn admin_disable(
        &self,
        actor: &Authenticated,
        id: UserId,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.require_admin_action(actor).await?;
        Self::refuse_self(actor, id)?;
        self.act_on_rights(actor, id, AdminAction::Disable, ctx)
            .await
    }

    /// Enables a disabled account.
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::NotFound`].
    #[tracing::instrument(name = "auth.admin_enable", skip_all, fields(user_id = %actor.user.id, target = %id))]
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
    #[tracing::instrument(name = "auth.admin_unlock", skip_all, fields(user_id = %actor.user.id, target = %id))]
    pub async fn admin_unlock(
        &self,
        actor: &Authenticated,
        id: UserId,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.admin_act(actor, id, AdminAction::Unlock, ctx).await
    }

    /// Removes an account's second factor (its owner lost the authenticator and the
    /// recovery codes): audited, and the owner is told by mail when a mailer template
    /// exists for it. Nothing happens to an account without one.
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::NotFound`].
    #[tracing::instrument(name = "auth.admin_reset_second_factor", skip_all, fields(user_id = %actor.user.id, target = %id))]
    pub async fn admin_reset_second_factor(
        &self,
        actor: &Authenticated,
        id: UserId,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.admin_act(actor, id, AdminAction::ResetSecondFactor, ctx)
            .await
    }

    /// Ends every session of an account.
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::NotFound`].
    #[tracing::instrument(name = "auth.admin_force_logout", skip_all, fields(user_id = %actor.user.id, target = %id))]
    pub async fn admin_force_logout(
        &self,
        actor: &Authenticated,
        id: UserId,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.admin_act(actor, id, AdminAction::ForceLogout, ctx)
            .await
    }

    /// Replaces an account's roles. An admin cannot remove the admin role from themself,
    /// and the last active administrator keeps it (see `act_on_rights`).
    ///
    /// # Errors
    /// [`Error::Forbidden`] (also when the actor lost its rights meanwhile),
    /// [`Error::NotFound`], [`Error::Validation`] for bad role names or self-demotion,
    /// [`Error::StaleVersion`] when another such action kept the instances busy.
    #[tracing::instrument(name = "auth.admin_set_roles", skip_all, fields(user_id = %actor.user.id, target = %id))]
    pub async fn admin_set_roles(
        &self,
        actor: &Authenticated,
        id: UserId,
        roles: Vec<String>,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.require_admin_action(actor).await?;
        let roles = normalize_roles(&roles)?;
        let admin_role = &self.inner.config.admin_role;
        if actor.user.id == id && !roles.contains(admin_role) {
            return Err(Error::invalid(
                "roles",
                Message::new("field-roles-own_admin"),
            ));
        }
        self.act_on_rights(actor, id, AdminAction::SetRoles(roles), ctx)
            .await
    }
}
