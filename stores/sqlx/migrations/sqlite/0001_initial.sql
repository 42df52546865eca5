-- Initial schema (SQLite). `{prefix}` is replaced by the configured table prefix.
-- Times are BIGINT nanoseconds since the Unix epoch, UTC (see docs/schema.md).

CREATE TABLE {prefix}users (
    id                BLOB    PRIMARY KEY,
    email             TEXT    NOT NULL,
    username          TEXT    NULL,
    password_hash     TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    email_verified_at BIGINT  NULL,
    roles             TEXT    NOT NULL,
    security_stamp    TEXT    NOT NULL,
    locked_until      BIGINT  NULL,
    lockout_count     BIGINT  NOT NULL,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    last_login_at     BIGINT  NULL,
    version           BIGINT  NOT NULL
);
CREATE UNIQUE INDEX {prefix}users_email_uq ON {prefix}users (email);
CREATE UNIQUE INDEX {prefix}users_username_uq ON {prefix}users (username);
CREATE INDEX {prefix}users_created_idx ON {prefix}users (created_at, id);

CREATE TABLE {prefix}sessions (
    digest          BLOB    PRIMARY KEY CHECK (length(digest) = 32),
    user_id         BLOB    NOT NULL,
    created_at      BIGINT  NOT NULL,
    last_seen_at    BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    idle_expires_at BIGINT  NOT NULL,
    dies_at         BIGINT  NOT NULL,
    remember        BOOLEAN NOT NULL,
    user_agent      TEXT    NULL,
    ip              TEXT    NULL
);
CREATE INDEX {prefix}sessions_user_idx ON {prefix}sessions (user_id, created_at);
CREATE INDEX {prefix}sessions_dies_idx ON {prefix}sessions (dies_at);

CREATE TABLE {prefix}counters (
    counter_key TEXT   PRIMARY KEY,
    hits        BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX {prefix}counters_expires_idx ON {prefix}counters (expires_at);

CREATE TABLE {prefix}outbox (
    id              BLOB   PRIMARY KEY,
    to_address      TEXT   NOT NULL,
    subject         TEXT   NOT NULL,
    text_body       TEXT   NOT NULL,
    html_body       TEXT   NULL,
    kind            TEXT   NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_error      TEXT   NULL
);
CREATE INDEX {prefix}outbox_due_idx ON {prefix}outbox (next_attempt_at);

CREATE TABLE {prefix}audit (
    id          BLOB   PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    kind        TEXT   NOT NULL,
    user_id     BLOB   NULL,
    actor_id    BLOB   NULL,
    ip          TEXT   NULL,
    detail      TEXT   NULL
);
CREATE INDEX {prefix}audit_user_idx ON {prefix}audit (user_id, occurred_at);
