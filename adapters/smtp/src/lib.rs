//! auth-core mailers: SMTP via lettre, and a development mailer writing .eml files.
