//! The embedded migrations and their runner.
//!
//! sqlx's own migrator embeds fixed SQL, but table names here carry a configurable prefix,
//! so the crate keeps its migrations as templates (`migrations/<backend>/NNNN_name.sql`,
//! with `{prefix}` where the prefix goes) and records what it applied in
//! `<prefix>schema_migrations`. Each migration is recorded with the SHA-256 of its
//! template: a changed migration is refused rather than silently skipped.
//!
//! Concurrent runs (several instances starting at once) are serialised: PostgreSQL by a
//! transaction-level advisory lock, SQLite by `BEGIN IMMEDIATE`, MySQL/MariaDB by
//! `GET_LOCK`. PostgreSQL and SQLite apply all pending migrations in one transaction;
//! MySQL commits DDL implicitly, so its migrations are written to be re-runnable.

use auth_core::{Error, Result};
use sha2::{Digest as _, Sha256};

#[cfg(any(feature = "postgres", feature = "sqlite", feature = "mysql"))]
use crate::Backend;

/// One embedded migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Increasing version number.
    pub version: i64,
    /// What it does.
    pub description: &'static str,
    /// The SQL template (`{prefix}` stands for the table prefix).
    pub template: &'static str,
}

impl Migration {
    /// SHA-256 of the template, hex.
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.template.as_bytes()))
    }

    /// The SQL with the prefix filled in.
    pub(crate) fn sql(&self, prefix: &str) -> String {
        self.template.replace("{prefix}", prefix)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
/// The PostgreSQL migrations, oldest first.
#[cfg(feature = "postgres")]
pub const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        description: "initial schema",
        template: include_str!("../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        description: "failed outbox messages",
        template: include_str!("../migrations/postgres/0002_outbox_failed.sql"),
    },
    Migration {
        version: 3,
        description: "profile fields",
        template: include_str!("../migrations/postgres/0003_profile.sql"),
    },
    Migration {
        version: 4,
        description: "ephemeral entries and second factors",
        template: include_str!("../migrations/postgres/0004_ephemeral.sql"),
    },
    Migration {
        version: 5,
        description: "API keys",
        template: include_str!("../migrations/postgres/0005_api_keys.sql"),
    },
    Migration {
        version: 6,
        description: "webhook calls in the outbox",
        template: include_str!("../migrations/postgres/0006_webhooks.sql"),
    },
    Migration {
        version: 7,
        description: "profile pictures",
        template: include_str!("../migrations/postgres/0007_pictures.sql"),
    },
    Migration {
        version: 8,
        description: "session proofs (amr, auth_time, proved_at)",
        template: include_str!("../migrations/postgres/0008_session_proofs.sql"),
    },
    Migration {
        version: 10,
        description: "passkeys",
        template: include_str!("../migrations/postgres/0010_passkeys.sql"),
    },
    Migration {
        version: 11,
        description: "identities at other providers",
        template: include_str!("../migrations/postgres/0011_identities.sql"),
    },
    Migration {
        version: 13,
        description: "sealed provider tokens of identities",
        template: include_str!("../migrations/postgres/0013_identity_tokens.sql"),
    },
    Migration {
        version: 14,
        description: "ways-in version of accounts",
        template: include_str!("../migrations/postgres/0014_ways_in_version.sql"),
    },
    Migration {
        version: 15,
        description: "the account's language",
        template: include_str!("../migrations/postgres/0015_user_language.sql"),
    },
];

#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
/// The SQLite migrations, oldest first.
#[cfg(feature = "sqlite")]
pub const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        description: "initial schema",
        template: include_str!("../migrations/sqlite/0001_initial.sql"),
    },
    Migration {
        version: 2,
        description: "failed outbox messages",
        template: include_str!("../migrations/sqlite/0002_outbox_failed.sql"),
    },
    Migration {
        version: 3,
        description: "profile fields",
        template: include_str!("../migrations/sqlite/0003_profile.sql"),
    },
    Migration {
        version: 4,
        description: "ephemeral entries and second factors",
        template: include_str!("../migrations/sqlite/0004_ephemeral.sql"),
    },
    Migration {
        version: 5,
        description: "API keys",
        template: include_str!("../migrations/sqlite/0005_api_keys.sql"),
    },
    Migration {
        version: 6,
        description: "webhook calls in the outbox",
        template: include_str!("../migrations/sqlite/0006_webhooks.sql"),
    },
    Migration {
        version: 7,
        description: "profile pictures",
        template: include_str!("../migrations/sqlite/0007_pictures.sql"),
    },
    Migration {
        version: 8,
        description: "session proofs (amr, auth_time, proved_at)",
        template: include_str!("../migrations/sqlite/0008_session_proofs.sql"),
    },
    Migration {
        version: 10,
        description: "passkeys",
        template: include_str!("../migrations/sqlite/0010_passkeys.sql"),
    },
    Migration {
        version: 11,
        description: "identities at other providers",
        template: include_str!("../migrations/sqlite/0011_identities.sql"),
    },
    Migration {
        version: 13,
        description: "sealed provider tokens of identities",
        template: include_str!("../migrations/sqlite/0013_identity_tokens.sql"),
    },
    Migration {
        version: 14,
        description: "ways-in version of accounts",
        template: include_str!("../migrations/sqlite/0014_ways_in_version.sql"),
    },
    Migration {
        version: 15,
        description: "the account's language",
        template: include_str!("../migrations/sqlite/0015_user_language.sql"),
    },
];

#[cfg_attr(docsrs, doc(cfg(feature = "mysql")))]
/// The MySQL/MariaDB migrations, oldest first.
#[cfg(feature = "mysql")]
pub const MYSQL: &[Migration] = &[
    Migration {
        version: 1,
        description: "initial schema",
        template: include_str!("../migrations/mysql/0001_initial.sql"),
    },
    Migration {
        version: 2,
        description: "failed outbox messages",
        template: include_str!("../migrations/mysql/0002_outbox_failed.sql"),
    },
    Migration {
        version: 3,
        description: "profile fields",
        template: include_str!("../migrations/mysql/0003_profile.sql"),
    },
    Migration {
        version: 4,
        description: "ephemeral entries and second factors",
        template: include_str!("../migrations/mysql/0004_ephemeral.sql"),
    },
    Migration {
        version: 5,
        description: "API keys",
        template: include_str!("../migrations/mysql/0005_api_keys.sql"),
    },
    Migration {
        version: 6,
        description: "webhook calls in the outbox",
        template: include_str!("../migrations/mysql/0006_webhooks.sql"),
    },
    Migration {
        version: 7,
        description: "profile pictures",
        template: include_str!("../migrations/mysql/0007_pictures.sql"),
    },
    Migration {
        version: 8,
        description: "session proofs (amr, auth_time, proved_at)",
        template: include_str!("../migrations/mysql/0008_session_proofs.sql"),
    },
    Migration {
        version: 10,
        description: "passkeys",
        template: include_str!("../migrations/mysql/0010_passkeys.sql"),
    },
    Migration {
        version: 11,
        description: "identities at other providers",
        template: include_str!("../migrations/mysql/0011_identities.sql"),
    },
    Migration {
        version: 13,
        description: "sealed provider tokens of identities",
        template: include_str!("../migrations/mysql/0013_identity_tokens.sql"),
    },
    Migration {
        version: 14,
        description: "ways-in version of accounts",
        template: include_str!("../migrations/mysql/0014_ways_in_version.sql"),
    },
    Migration {
        version: 15,
        description: "the account's language",
        template: include_str!("../migrations/mysql/0015_user_language.sql"),
    },
];

/// The migrations of a backend.
#[cfg(any(feature = "postgres", feature = "sqlite", feature = "mysql"))]
pub(crate) fn migrations(backend: Backend) -> &'static [Migration] {
    match backend {
        #[cfg(feature = "postgres")]
        Backend::Postgres => POSTGRES,
        #[cfg(feature = "sqlite")]
        Backend::Sqlite => SQLITE,
        #[cfg(feature = "mysql")]
        Backend::MySql => MYSQL,
        // `allow`, not `expect`: unreachable only when every backend feature is on.
        #[allow(unreachable_patterns)]
        _ => &[],
    }
}

/// Compares what the database recorded with what is embedded; returns the migrations
/// still to apply.
pub(crate) fn pending<'a>(
    all: &'a [Migration],
    applied: &[(i64, String)],
) -> Result<Vec<&'a Migration>> {
    for (version, checksum) in applied {
        match all.iter().find(|m| m.version == *version) {
            Some(m) if m.checksum() != *checksum => {
                return Err(Error::backend(crate::StoreError::MigrationChanged {
                    version: *version,
                    found: checksum.clone(),
                    expected: m.checksum(),
                }));
            }
            Some(_) => {}
            None => tracing::warn!(
                version,
                "the database has a migration this version of auth-store-sqlx does not know \
                 (was a newer version deployed?); continuing"
            ),
        }
    }
    Ok(all
        .iter()
        .filter(|m| !applied.iter().any(|(v, _)| *v == m.version))
        .collect())
}

/// Splits a script into statements at `;` ending a line (MySQL runs one at a time), and
/// drops comment-only pieces.
#[cfg_attr(not(feature = "mysql"), allow(dead_code))]
pub(crate) fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in sql.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("--") {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if trimmed.ends_with(';') {
            let stmt = current.trim().trim_end_matches(';').trim().to_owned();
            if !stmt.is_empty() {
                out.push(stmt);
            }
            current.clear();
        }
    }
    let rest = current.trim();
    if !rest.is_empty() {
        out.push(rest.to_owned());
    }
    out
}

/// The DDL of the bookkeeping table.
pub(crate) fn bookkeeping_table(prefix: &str, mysql: bool) -> String {
    let tail = if mysql {
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    } else {
        ""
    };
    format!(
        "CREATE TABLE IF NOT EXISTS {prefix}schema_migrations (\
         version BIGINT NOT NULL PRIMARY KEY, \
         description VARCHAR(255) NOT NULL, \
         checksum VARCHAR(64) NOT NULL, \
         applied_at BIGINT NOT NULL){tail}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const M1: Migration = Migration {
        version: 1,
        description: "one",
        template: "CREATE TABLE {prefix}a (x INT);",
    };
    const M2: Migration = Migration {
        version: 2,
        description: "two",
        template: "CREATE TABLE {prefix}b (x INT);",
    };

    #[test]
    fn pending_skips_applied_and_refuses_edited_migrations() {
        let all = [M1, M2];
        let p = pending(&all, &[]).unwrap();
        assert_eq!(p.iter().map(|m| m.version).collect::<Vec<_>>(), vec![1, 2]);
        let p = pending(&all, &[(1, M1.checksum())]).unwrap();
        assert_eq!(p.iter().map(|m| m.version).collect::<Vec<_>>(), vec![2]);
        assert!(pending(&all, &[(1, M2.checksum())]).is_err());
        // Unknown (newer) versions are tolerated.
        assert_eq!(
            pending(
                &all,
                &[(1, M1.checksum()), (2, M2.checksum()), (3, "x".into())]
            )
            .unwrap()
            .len(),
            0
        );
    }

    #[test]
    fn scripts_split_into_statements() {
        let s = statements(
            "-- c {prefix}\nCREATE TABLE a (\n x INT\n);\n\n-- tail\nCREATE TABLE b (y INT);\n",
        );
        assert_eq!(
            s,
            vec!["CREATE TABLE a (\n x INT\n)", "CREATE TABLE b (y INT)"]
        );
        assert_eq!(M1.sql("p_"), "CREATE TABLE p_a (x INT);");
    }

    #[test]
    fn embedded_migrations_are_ordered_and_fill_every_prefix() {
        #[cfg(feature = "postgres")]
        check(POSTGRES);
        #[cfg(feature = "sqlite")]
        check(SQLITE);
        #[cfg(feature = "mysql")]
        check(MYSQL);
        fn check(all: &[Migration]) {
            assert!(all.windows(2).all(|w| w[0].version < w[1].version));
            for m in all {
                let sql = m.sql("zz_");
                assert!(!sql.contains("{prefix}"));
                assert!(sql.contains("zz_"));
            }
            assert!(all[0].sql("zz_").contains("zz_users"));
        }
    }
}
