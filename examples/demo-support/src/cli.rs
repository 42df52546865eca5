//! The command line shared by the demos.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Run the demo site, or manage it from the command line.
#[derive(Debug, Clone, Parser)]
#[command(name = "demo", version)]
pub struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "ADDR", default_value = "127.0.0.1:3000", global = true)]
    pub addr: SocketAddr,
    /// Database URL: sqlite:PATH, postgres://... or mysql://...
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://auth-demo.db",
        global = true
    )]
    pub database_url: String,
    /// Prefix of the SQL table names, to share a database.
    #[arg(long, env = "TABLE_PREFIX", default_value = "auth_", global = true)]
    pub table_prefix: String,
    /// Keep sessions and rate-limit counters in Redis (redis:// or rediss://).
    #[arg(long, env = "REDIS_URL", global = true)]
    pub redis_url: Option<String>,
    /// Prefix of the Redis keys, to share a Redis server.
    #[arg(long, env = "REDIS_KEY_PREFIX", global = true)]
    pub redis_key_prefix: Option<String>,
    /// Directory the development mailer writes .eml files into (when no SMTP URL).
    #[arg(long, env = "MAIL_DIR", default_value = "mail", global = true)]
    pub mail_dir: PathBuf,
    /// Send mail over SMTP, e.g. smtp://user:pass@host:587?tls=starttls&from=...
    #[arg(long, env = "SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// Scheme, host and port used in mailed links (default: the listening address).
    #[arg(long, env = "BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// What to do instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Create an account directly (no confirmation mail).
    CreateUser {
        /// Email address.
        #[arg(long)]
        email: String,
        /// Password (the password policy applies).
        #[arg(long)]
        password: String,
        /// Grant the admin role.
        #[arg(long)]
        admin: bool,
        /// Mark the email address as confirmed.
        #[arg(long)]
        verified: bool,
    },
}

impl Cli {
    /// The base of mailed links for a site listening on `local`: `--base-url`, or
    /// `http://` + the address (127.0.0.1 when listening on every interface).
    pub fn base_url_for(&self, local: SocketAddr) -> String {
        match &self.base_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None if local.ip().is_unspecified() => format!("http://127.0.0.1:{}", local.port()),
            None => format!("http://{local}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn flags_parse_with_defaults_and_the_subcommand() {
        let cli = Cli::try_parse_from(["demo", "--addr", "127.0.0.1:0"]).unwrap();
        assert_eq!(cli.addr.port(), 0);
        assert_eq!(cli.table_prefix, "auth_");
        assert!(cli.command.is_none());
        let cli = Cli::try_parse_from([
            "demo",
            "create-user",
            "--email",
            "a@b.example",
            "--password",
            "pw",
            "--admin",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::CreateUser {
                admin: true,
                verified: false,
                ..
            })
        ));
        assert!(Cli::try_parse_from(["demo", "--addr", "not an address"]).is_err());
    }

    #[test]
    fn mailed_links_use_the_real_address() {
        let cli = Cli::try_parse_from(["demo"]).unwrap();
        assert_eq!(
            cli.base_url_for("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            cli.base_url_for("127.0.0.1:4000".parse().unwrap()),
            "http://127.0.0.1:4000"
        );
        let cli = Cli::try_parse_from(["demo", "--base-url", "https://demo.example/"]).unwrap();
        assert_eq!(
            cli.base_url_for("127.0.0.1:4000".parse().unwrap()),
            "https://demo.example"
        );
    }
}
