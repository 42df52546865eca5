//! The engine over the operator's stores.

use std::sync::Arc;

use async_trait::async_trait;
use auth_core::{Auth, Email, Mailer, RelyingParty};
use demo_support::{BoxError, StoreArgs, base_config};

/// The engine on the stores the flags name, with the demo sites' configuration and
/// signing secret (so that
/// anything it queues in the outbox, sealed with it, is readable by the site) and a
/// mailer that sends nothing: mail the engine would send waits in the outbox for the
/// site's next pass. The schema must be migrated (`auth-cli migrate`).
///
/// # Errors
/// A bad flag, an unreachable store, an unreadable secret.
pub(crate) async fn engine(stores: &StoreArgs) -> Result<Auth, BoxError> {
    let base_url = std::env::var("BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into());
    let (config, _) = base_config(&stores.database_url, &base_url)?;
    let config = config.build()?;
    let stores = stores.open(false).await?;
    // The passkey commands only read and delete records: no ceremony runs here, so the
    // relying party (which only ceremonies ask) is a placeholder.
    let placeholder = RelyingParty::new("localhost", "auth-cli", &["http://localhost"])?;
    let auth = stores
        .wire(Auth::builder(config))
        .passkeys(stores.sql.clone(), placeholder)
        .mailer(Arc::new(Outbox))
        .build()?;
    Ok(auth)
}

/// Sends nothing: every message is left to the outbox.
#[derive(Debug)]
struct Outbox;

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, _email: &Email) -> auth_core::Result<()> {
        Err(auth_core::Error::mail(
            "auth-cli sends no mail; the site's outbox pass will",
        ))
    }
}
