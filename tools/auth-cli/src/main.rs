//! `auth-cli`: the auth toolkit's command line for operators.
//!
//! It works on the same stores as the demo sites (the same `--database-url`, `--redis-url`
//! and related flags and environment variables), through the engine, so that every change
//! to an account goes through the account state machine and is audited. See
//! `docs/operations.md` for every command.
//!
//! Exit codes: 0 success; 1 failure (bad input, unknown account, unreachable store);
//! 2 `import` skipped some rows (the others were imported), or `calibrate` could not
//! meet the target.

mod calibrate;
mod engine;
mod import;
mod output;
mod users;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use demo_support::{BoxError, StoreArgs};

/// Manage the accounts of an auth toolkit installation from the command line.
#[derive(Debug, Parser)]
#[command(name = "auth-cli", version)]
struct Cli {
    /// The stores, as the demo sites take them.
    #[command(flatten)]
    stores: StoreArgs,
    /// Print JSON on standard output instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create or update the SQL tables.
    Migrate,
    /// List, show, create, disable, enable, unlock or delete accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Grant or revoke roles.
    #[command(subcommand)]
    Roles(RolesCommand),
    /// End sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// List an account's passkeys, or remove them (a device lost or stolen).
    #[command(subcommand)]
    Passkeys(PasskeysCommand),
    /// Show the mail the outbox gave up on and the webhook deliveries, and queue them again.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Find the strongest Argon2id parameters that hash within a time budget here.
    Calibrate(auth_benches::calibrate::Args),
    /// Bring accounts over from another system with their existing password hashes.
    Import {
        /// The file's format.
        #[arg(long, value_enum)]
        format: ImportFormat,
        /// The file: CSV with a header row, or one JSON object per line.
        file: PathBuf,
    },
    /// Print the OpenAPI 3.1 document of the JSON API (as served at
    /// `{mount}/api/openapi.json`); opens no store.
    Openapi {
        /// The mount point of the auth routes.
        #[arg(long, default_value = auth_http::openapi::DEMO_MOUNT)]
        mount: String,
    },
}

/// An account: its id, email address or username.
type Who = String;

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Accounts, oldest first.
    List {
        /// Only accounts whose email address or username contains this.
        #[arg(long)]
        search: Option<String>,
        /// How many to show.
        #[arg(long, default_value_t = 50)]
        limit: u64,
        /// How many to skip.
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// One account with its sessions and newest audit events.
    Show { user: Who },
    /// Create an account; the password is read from the first line of standard input
    /// and must satisfy the password policy.
    Create {
        /// Email address.
        #[arg(long)]
        email: String,
        /// Username.
        #[arg(long)]
        username: Option<String>,
        /// A role to grant (repeat for more).
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Count the email address as confirmed.
        #[arg(long)]
        verified: bool,
    },
    /// Switch an account off and end its sessions.
    Disable { user: Who },
    /// Switch an account back on.
    Enable { user: Who },
    /// Lift a lockout.
    Unlock { user: Who },
    /// Remove the second factor (authenticator app and recovery codes) of a person who
    /// lost both; they sign in with the password alone and may enrol again.
    ResetSecondFactor { user: Who },
    /// Delete an account and its sessions.
    Delete { user: Who },
}

#[derive(Debug, Subcommand)]
enum RolesCommand {
    /// Add roles to an account.
    Grant {
        user: Who,
        #[arg(required = true)]
        roles: Vec<String>,
    },
    /// Remove roles from an account.
    Revoke {
        user: Who,
        #[arg(required = true)]
        roles: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum SessionsCommand {
    /// End every session of an account.
    Revoke { user: Who },
}

#[derive(Debug, Subcommand)]
enum PasskeysCommand {
    /// An account's passkeys, oldest first (never their public keys).
    List { user: Who },
    /// Remove one passkey of an account, or all of them; each removal is audited. The
    /// owner of an account left without a way in sets a password by a reset link.
    Remove {
        user: Who,
        /// The passkey's id (see `passkeys list`); base64url, so it may begin with `-`.
        #[arg(
            required_unless_present = "all",
            conflicts_with = "all",
            allow_hyphen_values = true
        )]
        id: Option<String>,
        /// Every passkey of the account.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// Mail the outbox gave up on, most recently failed first.
    Show {
        /// How many to show.
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Queue failed mail again; a running site's outbox pass sends it.
    Retry {
        /// The failed mail's id (see `outbox show`).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<uuid::Uuid>,
        /// Every failed mail.
        #[arg(long)]
        all: bool,
    },
    /// Webhook deliveries in every state (pending, delivered, failed), newest first.
    Webhooks {
        /// How many to show.
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Queue a failed webhook delivery again; a running site's outbox pass sends it.
    RetryWebhook {
        /// The failed delivery's id (see `outbox webhooks`).
        id: uuid::Uuid,
    },
    /// Delete a failed webhook delivery for good.
    DiscardWebhook {
        /// The failed delivery's id (see `outbox webhooks`).
        id: uuid::Uuid,
    },
}

/// The formats `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ImportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// What a command ended with, beyond success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Everything was done.
    Done,
    /// Done in part: some input was skipped, or a target was missed.
    Partly,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match &cli.command {
        Command::Openapi { mount } => {
            print!("{}", auth_http::openapi::document(mount));
            Ok(Outcome::Done)
        }
        // Calibration measures on blocking threads of its own runtime.
        Command::Calibrate(args) => {
            drop(runtime);
            calibrate::run(args, cli.json)
        }
        _ => runtime.block_on(run(&cli)),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Partly) => ExitCode::from(2),
        Err(e) => {
            eprintln!("{}", output::error_report(&*e));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: &Cli) -> Result<Outcome, BoxError> {
    let out = output::Out::new(cli.json);
    if let Command::Migrate = cli.command {
        cli.stores.open(true).await?;
        out.done("migrated", "the SQL tables are up to date");
        return Ok(Outcome::Done);
    }
    let auth = engine::engine(&cli.stores).await?;
    match &cli.command {
        Command::Users(command) => users::users(&auth, &out, command).await?,
        Command::Roles(command) => users::roles(&auth, &out, command).await?,
        Command::Sessions(SessionsCommand::Revoke { user }) => {
            users::act(&auth, &out, user, auth_core::OperatorAction::RevokeSessions).await?;
        }
        Command::Outbox(command) => users::outbox(&auth, &out, command).await?,
        Command::Passkeys(command) => users::passkeys(&auth, &out, command).await?,
        Command::Import { format, file } => {
            let outcome = import::import(&auth, &out, *format, file).await?;
            auth.settle().await;
            return Ok(outcome);
        }
        Command::Migrate | Command::Calibrate(_) | Command::Openapi { .. } => {}
    }
    auth.settle().await;
    Ok(Outcome::Done)
}
