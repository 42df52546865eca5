-- API keys (personal access tokens): only the SHA-256 digest of a key is kept, with its
-- public id, owner, name, scopes (a JSON array of strings, as text) and times (Unix
-- nanoseconds). A key is found by its digest (primary key) on every request it
-- authenticates, and listed by owner. `{prefix}` is replaced by the configured table
-- prefix.

CREATE TABLE {prefix}api_keys (
    digest       BYTEA   PRIMARY KEY CHECK (octet_length(digest) = 32),
    id           TEXT    NOT NULL,
    user_id      UUID    NOT NULL,
    name         TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NULL,
    last_used_at BIGINT  NULL,
    last_used_ip TEXT    NULL
);
CREATE UNIQUE INDEX {prefix}api_keys_id_uq ON {prefix}api_keys (id);
CREATE INDEX {prefix}api_keys_user_idx ON {prefix}api_keys (user_id, created_at);
