-- Initial schema (MySQL 8 / MariaDB 10.6+). `{prefix}` is replaced by the configured table
-- prefix. Times are BIGINT nanoseconds since the Unix epoch, UTC (see docs/schema.md).
-- MySQL commits DDL implicitly, so every statement is idempotent (IF NOT EXISTS, indexes
-- declared inline): a migration interrupted half-way can simply be run again.

CREATE TABLE IF NOT EXISTS {prefix}users (
    id                BINARY(16)    NOT NULL,
    email             VARCHAR(320)  NOT NULL,
    username          VARCHAR(128)  NULL,
    password_hash     VARCHAR(1024) NOT NULL,
    status            VARCHAR(32)   NOT NULL,
    email_verified_at BIGINT        NULL,
    roles             TEXT          NOT NULL,
    security_stamp    VARCHAR(255)  NOT NULL,
    locked_until      BIGINT        NULL,
    lockout_count     BIGINT        NOT NULL,
    created_at        BIGINT        NOT NULL,
    updated_at        BIGINT        NOT NULL,
    last_login_at     BIGINT        NULL,
    version           BIGINT        NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY {prefix}users_email_uq (email),
    UNIQUE KEY {prefix}users_username_uq (username),
    KEY {prefix}users_created_idx (created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {prefix}sessions (
    digest          BINARY(32)   NOT NULL,
    user_id         BINARY(16)   NOT NULL,
    created_at      BIGINT       NOT NULL,
    last_seen_at    BIGINT       NOT NULL,
    expires_at      BIGINT       NOT NULL,
    idle_expires_at BIGINT       NOT NULL,
    dies_at         BIGINT       NOT NULL,
    remember        BOOLEAN      NOT NULL,
    user_agent      TEXT         NULL,
    ip              VARCHAR(255) NULL,
    PRIMARY KEY (digest),
    KEY {prefix}sessions_user_idx (user_id, created_at),
    KEY {prefix}sessions_dies_idx (dies_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {prefix}counters (
    counter_key VARCHAR(512) NOT NULL,
    hits        BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL,
    PRIMARY KEY (counter_key),
    KEY {prefix}counters_expires_idx (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {prefix}outbox (
    id              BINARY(16) NOT NULL,
    to_address      TEXT       NOT NULL,
    subject         TEXT       NOT NULL,
    text_body       MEDIUMTEXT NOT NULL,
    html_body       MEDIUMTEXT NULL,
    kind            VARCHAR(64) NOT NULL,
    attempts        BIGINT     NOT NULL,
    next_attempt_at BIGINT     NOT NULL,
    created_at      BIGINT     NOT NULL,
    last_error      TEXT       NULL,
    PRIMARY KEY (id),
    KEY {prefix}outbox_due_idx (next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {prefix}audit (
    id          BINARY(16)   NOT NULL,
    occurred_at BIGINT       NOT NULL,
    kind        VARCHAR(64)  NOT NULL,
    user_id     BINARY(16)   NULL,
    actor_id    BINARY(16)   NULL,
    ip          VARCHAR(255) NULL,
    detail      TEXT         NULL,
    PRIMARY KEY (id),
    KEY {prefix}audit_user_idx (user_id, occurred_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
