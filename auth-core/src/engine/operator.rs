//! What an operator does from a trusted tool (the `auth-cli` binary): the administrators'
//! actions without an acting account, for whoever already holds the stores' credentials.

use uuid::Uuid;

use super::Auth;
use super::admin::AdminUserView;
use super::effects::{MailLinks, Origin};
use crate::error::{Error, Result};
use crate::machine::{AdminAction, Event};
use crate::model::{AuditKind, FailedMail, Page, User, UserId, WebhookDelivery};
use crate::passkey::PasskeyCredential;
use crate::validate::{LoginIdentifier, normalize_roles};

/// A change an operator makes to an account. Every one goes through the account state
/// machine and is audited, like an administrator's.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OperatorAction {
    /// Switch the account off and end its sessions.
    Disable,
    /// Switch it back on.
    Enable,
    /// Lift a lockout.
    Unlock,
    /// End every session.
    RevokeSessions,
    /// Replace the roles (validated and normalised as everywhere else).
    SetRoles(Vec<String>),
    /// Remove the second factor (authenticator app and recovery codes), for a person who
    /// lost both; audited as `second_factor_reset`. An account without one is unchanged.
    ResetSecondFactor,
    /// Delete the account and its sessions.
    Delete,
}

/// The engine as an operator's tool uses it: no acting account and no admin-role check,
/// because whoever runs the tool already holds the stores' credentials and could change
/// the rows directly. Get one with [`Auth::operator`]; never expose it to web requests.
///
/// Unlike [`Auth::admin_disable`] and [`Auth::admin_set_roles`], nothing stops an
/// operator from disabling or demoting the last administrator: the tool is how an
/// installation that lost its administrators gets one back.
#[derive(Debug, Clone)]
pub struct Operator {
    auth: Auth,
}

impl Auth {
    /// The operator's view of the engine (see [`Operator`]).
    pub fn operator(&self) -> Operator {
        Operator { auth: self.clone() }
    }
}

impl Operator {
    /// Users, oldest first, optionally filtered by a search on email and username, and
    /// the total count matching.
    ///
    /// # Errors
    /// A store error.
    pub async fn list_users(&self, search: Option<&str>, page: Page) -> Result<(Vec<User>, u64)> {
        self.auth.list_users(search, page).await
    }

    /// The account with this id, email address or username.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none; a store error.
    pub async fn find(&self, who: &str) -> Result<User> {
        let users = &self.auth.inner.users;
        let found = match who.trim().parse::<Uuid>() {
            Ok(id) => users.user_by_id(UserId(id)).await?,
            Err(_) => match LoginIdentifier::parse(who) {
                Some(LoginIdentifier::Email(e)) => users.user_by_email(&e).await?,
                Some(LoginIdentifier::Username(u)) => users.user_by_username(&u).await?,
                None => None,
            },
        };
        found.ok_or(Error::NotFound)
    }

    /// One account with its live sessions and newest audit events.
    ///
    /// # Errors
    /// [`Error::NotFound`]; a store error.
    pub async fn user(&self, id: UserId) -> Result<AdminUserView> {
        self.auth.user_view(id).await
    }

    /// Applies `action` to the account through the state machine, performs its effects
    /// (ending sessions, lifting locks, auditing) and returns the account as it is now
    /// (as it was, for [`OperatorAction::Delete`]).
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Validation`] on `roles` for a bad role name;
    /// [`Error::StaleVersion`] when the account changed meanwhile; a store error.
    pub async fn act(&self, id: UserId, action: OperatorAction) -> Result<User> {
        let action = match action {
            OperatorAction::Disable => AdminAction::Disable,
            OperatorAction::Enable => AdminAction::Enable,
            OperatorAction::Unlock => AdminAction::Unlock,
            OperatorAction::RevokeSessions => AdminAction::ForceLogout,
            OperatorAction::SetRoles(roles) => AdminAction::SetRoles(normalize_roles(&roles)?),
            OperatorAction::ResetSecondFactor => AdminAction::ResetSecondFactor,
            OperatorAction::Delete => AdminAction::Delete,
        };
        let user = self.auth.load_user(id).await?;
        let (user, effects) = self
            .auth
            .run_event(user, Event::Admin(action), Origin::default())
            .await?;
        self.auth
            .perform(&user, &effects, Origin::default(), MailLinks::default())
            .await?;
        Ok(user)
    }

    /// The passkeys of an account, oldest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such account, or passkeys are off; a store
    /// error.
    pub async fn passkeys(&self, id: UserId) -> Result<Vec<PasskeyCredential>> {
        let (store, _) = self.auth.passkey_setup()?;
        let user = self.auth.load_user(id).await?;
        store.passkeys_for_user(user.id).await
    }

    /// Removes passkeys of an account, for a device lost or stolen: the one with this
    /// credential id, or every one (`None`). Each removal is audited as
    /// `passkey_removed` ("by an operator"). Returns what was removed.
    ///
    /// Unlike its owner, an operator may remove the account's last way in: the owner
    /// gets back in with a password set by a reset link ("Forgot your password?"), then
    /// registers a new passkey. The account's sessions stay; end them with
    /// [`OperatorAction::RevokeSessions`] when the device was stolen.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such account or passkey, or passkeys are
    /// off; a store error.
    pub async fn remove_passkeys(
        &self,
        id: UserId,
        which: Option<&str>,
    ) -> Result<Vec<PasskeyCredential>> {
        let (store, _) = self.auth.passkey_setup()?;
        let user = self.auth.load_user(id).await?;
        let chosen: Vec<PasskeyCredential> = store
            .passkeys_for_user(user.id)
            .await?
            .into_iter()
            .filter(|p| which.is_none_or(|wanted| p.id == wanted))
            .collect();
        if which.is_some() && chosen.is_empty() {
            return Err(Error::NotFound);
        }
        let mut removed = Vec::with_capacity(chosen.len());
        for passkey in chosen {
            // Gone meanwhile: someone else removed it, and it is not reported twice.
            if store.delete_passkey(user.id, &passkey.id).await? {
                self.auth
                    .audit(
                        AuditKind::PasskeyRemoved,
                        Some(user.id),
                        Origin::default(),
                        Some(format!("{} (by an operator)", passkey.name)),
                    )
                    .await;
                removed.push(passkey);
            }
        }
        Ok(removed)
    }

    /// Mail the outbox gave up on, most recently failed first, and how many in all.
    ///
    /// # Errors
    /// A store error.
    pub async fn failed_mail(&self, page: Page) -> Result<(Vec<FailedMail>, u64)> {
        self.auth.failed_mail(page).await
    }

    /// Puts a failed mail back in the outbox, due at once; the next outbox pass (of a
    /// running site, or [`Auth::deliver_outbox`]) sends it. Audited.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no failed mail has this id; a store error.
    pub async fn retry_mail(&self, id: Uuid) -> Result<()> {
        self.auth.retry_failed_mail(id).await
    }

    /// Webhook deliveries in every state, newest first, and how many in all.
    ///
    /// # Errors
    /// A store error.
    pub async fn webhook_deliveries(&self, page: Page) -> Result<(Vec<WebhookDelivery>, u64)> {
        self.auth.webhook_deliveries(page).await
    }

    /// Puts a failed webhook delivery back in the outbox, due at once. Audited.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no failed webhook delivery has this id; a store error.
    pub async fn retry_webhook(&self, id: Uuid) -> Result<()> {
        self.auth.retry_webhook(id, None).await
    }

    /// Deletes a failed webhook delivery for good. Audited.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no failed webhook delivery has this id; a store error.
    pub async fn discard_webhook(&self, id: Uuid) -> Result<()> {
        self.auth.discard_webhook(id, None).await
    }
}
