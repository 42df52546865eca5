//! Every flow of the engine, end to end over the memory store and the capturing mailer:
//! the links are read out of the captured mail, as a person would click them.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod account;
mod admin;
mod breached;
mod email_codes;
mod hooks;
mod identity;
mod import;
mod language;
mod login;
mod mail_outbox;
mod operator;
mod own_picture;
mod passkey_only;
mod passkey_states;
mod passkeys;
mod picture;
mod profile;
mod recovery;
mod registration;
mod review;
mod second_factor;
mod session_cache;
mod support;
mod webhooks;
