//! What an operator does from a trusted tool (the `auth-cli` binary): the administrators'
//! actions without an acting account, for whoever already holds the stores' credentials.

use uuid::Uuid;

use super::Auth;
use super::admin::AdminUserView;
use super::effects::{MailLinks, Origin};
use crate::error::{Error, Result};
use crate::machine::{AdminAction, Event};
use crate::model::{FailedMail, Page, User, UserId, WebhookDelivery};
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
