-- Uploaded profile pictures (MySQL/MariaDB): one per user, already re-encoded by the core
-- (only pixels, a few hundred KiB at most: MEDIUMBLOB's 16 MiB is ample). `version` is
-- derived from the bytes (for cache-busting URLs); `updated_at` is BIGINT nanoseconds
-- since the Unix epoch, UTC, like every other time. No foreign key, like the sessions:
-- the engine deletes the picture with the account. `{prefix}` is replaced by the
-- configured table prefix.
--
-- One idempotent statement: MySQL commits DDL implicitly.

CREATE TABLE IF NOT EXISTS {prefix}pictures (
    user_id      BINARY(16)  NOT NULL,
    content_type VARCHAR(64) NOT NULL,
    version      VARCHAR(64) NOT NULL,
    bytes        MEDIUMBLOB  NOT NULL,
    updated_at   BIGINT      NOT NULL,
    PRIMARY KEY (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
