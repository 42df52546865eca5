//! The checks, one `async fn` per contract. Each takes the [`Subject`](super::Subject),
//! does nothing (and says so on stderr) when the store it needs is absent, and panics with
//! its own name and a description of the violation when the store breaks the contract.

mod api_keys;
mod audit;
mod counters;
mod ephemeral;
mod identities;
mod outbox;
mod passkeys;
mod pictures;
mod profiles;
mod redaction;
mod sessions;
mod users;
mod ways_in;

pub use api_keys::*;
pub use audit::*;
pub use counters::*;
pub use ephemeral::*;
pub use identities::*;
pub use outbox::*;
pub use passkeys::*;
pub use pictures::*;
pub use profiles::*;
pub use redaction::*;
pub use sessions::*;
pub use users::*;
pub use ways_in::*;
