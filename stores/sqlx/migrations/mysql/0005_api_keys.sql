-- API keys (personal access tokens, MySQL/MariaDB): only the SHA-256 digest of a key is
-- kept, with its public id, owner, name, scopes (a JSON array of strings, as text) and
-- times (Unix nanoseconds). A key is found by its digest (primary key) on every request
-- it authenticates, and listed by owner. `{prefix}` is replaced by the configured table
-- prefix.
--
-- One statement, re-runnable: MySQL commits DDL implicitly.

CREATE TABLE IF NOT EXISTS {prefix}api_keys (
    digest       BINARY(32)   NOT NULL,
    id           VARCHAR(32)  NOT NULL,
    user_id      BINARY(16)   NOT NULL,
    name         TEXT         NOT NULL,
    scopes       TEXT         NOT NULL,
    created_at   BIGINT       NOT NULL,
    expires_at   BIGINT       NULL,
    last_used_at BIGINT       NULL,
    last_used_ip VARCHAR(255) NULL,
    PRIMARY KEY (digest),
    UNIQUE KEY {prefix}api_keys_id_uq (id),
    KEY {prefix}api_keys_user_idx (user_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
