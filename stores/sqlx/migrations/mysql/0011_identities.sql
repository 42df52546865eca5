-- Identities at other providers linked to accounts ("Sign in with ...", MySQL/MariaDB):
-- the provider's configured name and its stable subject for the person (unique together:
-- one account per identity; compared exactly, hence the binary collation), the address
-- the provider gave with whether it verified it, and times (BIGINT nanoseconds since the
-- Unix epoch, UTC). Listed by account. No foreign key, like the sessions: a first
-- sign-in links the identity just before it creates the account, and the engine unlinks
-- the identities of a deleted account. `{prefix}` is replaced by the configured table
-- prefix.
--
-- One idempotent statement: MySQL commits DDL implicitly.

CREATE TABLE IF NOT EXISTS {prefix}identities (
    provider       VARCHAR(32)  NOT NULL,
    subject        VARCHAR(255) NOT NULL,
    user_id        BINARY(16)   NOT NULL,
    email          VARCHAR(320) NULL,
    email_verified BOOLEAN      NOT NULL,
    linked_at      BIGINT       NOT NULL,
    last_used_at   BIGINT       NULL,
    PRIMARY KEY (provider, subject),
    KEY {prefix}identities_user_idx (user_id, linked_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
