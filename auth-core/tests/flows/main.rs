//! Every flow of the engine, end to end over the memory store and the capturing mailer:
//! the links are read out of the captured mail, as a person would click them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod account;
mod admin;
mod login;
mod mail_outbox;
mod recovery;
mod registration;
mod review;
mod support;
