//! `users`, `roles`, `sessions`, `passkeys` and `outbox`: the operator's actions, each through the
//! engine's [`Operator`](auth_core::Operator).

use auth_core::{Auth, NewUser, OperatorAction, Page};
use demo_support::BoxError;

use crate::output::Out;
use crate::{OutboxCommand, PasskeysCommand, RolesCommand, UsersCommand};

/// Most failed mail `outbox retry --all` goes through.
const RETRY_ALL_LIMIT: u64 = 10_000;

pub(crate) async fn users(auth: &Auth, out: &Out, command: &UsersCommand) -> Result<(), BoxError> {
    let op = auth.operator();
    match command {
        UsersCommand::List {
            search,
            limit,
            offset,
        } => {
            let page = Page {
                offset: *offset,
                limit: *limit,
            };
            let (users, total) = op.list_users(search.as_deref(), page).await?;
            out.users(&users, total);
        }
        UsersCommand::Show { user } => {
            let user = op.find(user).await?;
            out.view(&op.user(user.id).await?);
        }
        UsersCommand::Create {
            email,
            username,
            roles,
            verified,
        } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            if password.is_empty() {
                return Err("give the password on the first line of standard input".into());
            }
            let user = auth
                .create_user(NewUser {
                    email: email.clone(),
                    username: username.clone(),
                    password,
                    roles: roles.clone(),
                    verified: *verified,
                    profile: Default::default(),
                })
                .await?;
            out.user("created", &user);
        }
        UsersCommand::Disable { user } => act(auth, out, user, OperatorAction::Disable).await?,
        UsersCommand::Enable { user } => act(auth, out, user, OperatorAction::Enable).await?,
        UsersCommand::Unlock { user } => act(auth, out, user, OperatorAction::Unlock).await?,
        UsersCommand::ResetSecondFactor { user } => {
            act(auth, out, user, OperatorAction::ResetSecondFactor).await?;
        }
        UsersCommand::Delete { user } => act(auth, out, user, OperatorAction::Delete).await?,
    }
    Ok(())
}

pub(crate) async fn roles(auth: &Auth, out: &Out, command: &RolesCommand) -> Result<(), BoxError> {
    let (who, change, grant) = match command {
        RolesCommand::Grant { user, roles } => (user, roles, true),
        RolesCommand::Revoke { user, roles } => (user, roles, false),
    };
    let user = auth.operator().find(who).await?;
    let change = auth_core::validate::normalize_roles(change)?;
    let mut roles: Vec<String> = user
        .roles
        .iter()
        .filter(|r| grant || !change.contains(r))
        .cloned()
        .collect();
    if grant {
        roles.extend(change.iter().filter(|r| !user.roles.contains(r)).cloned());
    }
    let user = auth
        .operator()
        .act(user.id, OperatorAction::SetRoles(roles))
        .await?;
    out.user(if grant { "granted" } else { "revoked" }, &user);
    Ok(())
}

/// Applies `action` to the account `who` names, and prints it.
pub(crate) async fn act(
    auth: &Auth,
    out: &Out,
    who: &str,
    action: OperatorAction,
) -> Result<(), BoxError> {
    let name = match action {
        OperatorAction::Disable => "disabled",
        OperatorAction::Enable => "enabled",
        OperatorAction::Unlock => "unlocked",
        OperatorAction::RevokeSessions => "sessions revoked",
        OperatorAction::Delete => "deleted",
        OperatorAction::ResetSecondFactor => "second factor reset",
        _ => "changed",
    };
    let op = auth.operator();
    let user = op.find(who).await?;
    let user = op.act(user.id, action).await?;
    out.user(name, &user);
    Ok(())
}

pub(crate) async fn passkeys(
    auth: &Auth,
    out: &Out,
    command: &PasskeysCommand,
) -> Result<(), BoxError> {
    let op = auth.operator();
    match command {
        PasskeysCommand::List { user } => {
            let user = op.find(user).await?;
            out.passkeys(&user, &op.passkeys(user.id).await?);
        }
        PasskeysCommand::Remove { user, id, .. } => {
            let user = op.find(user).await?;
            let removed = match op.remove_passkeys(user.id, id.as_deref()).await {
                // The account was found: what is missing is the passkey.
                Err(auth_core::Error::NotFound) => {
                    return Err(format!("{} has no passkey with this id", user.email).into());
                }
                other => other?,
            };
            out.passkeys_removed(&user, &removed);
        }
    }
    Ok(())
}

pub(crate) async fn outbox(
    auth: &Auth,
    out: &Out,
    command: &OutboxCommand,
) -> Result<(), BoxError> {
    let op = auth.operator();
    match command {
        OutboxCommand::Show { limit } => {
            let page = Page {
                offset: 0,
                limit: *limit,
            };
            let (mail, total) = op.failed_mail(page).await?;
            out.failed_mail(&mail, total);
        }
        OutboxCommand::Retry { id: Some(id), .. } => {
            op.retry_mail(*id).await?;
            out.done("retried", &format!("mail {id} is queued again"));
        }
        OutboxCommand::Retry { id: None, .. } => {
            let page = Page {
                offset: 0,
                limit: RETRY_ALL_LIMIT,
            };
            let (mail, _) = op.failed_mail(page).await?;
            for m in &mail {
                op.retry_mail(m.id).await?;
            }
            out.done(
                "retried",
                &format!("{} failed mail queued again", mail.len()),
            );
        }
        OutboxCommand::Webhooks { limit } => {
            let page = Page {
                offset: 0,
                limit: *limit,
            };
            let (deliveries, total) = op.webhook_deliveries(page).await?;
            out.webhook_deliveries(&deliveries, total);
        }
        OutboxCommand::RetryWebhook { id } => {
            op.retry_webhook(*id).await?;
            out.done("retried", &format!("webhook delivery {id} is queued again"));
        }
        OutboxCommand::DiscardWebhook { id } => {
            op.discard_webhook(*id).await?;
            out.done("discarded", &format!("webhook delivery {id} is deleted"));
        }
    }
    Ok(())
}
