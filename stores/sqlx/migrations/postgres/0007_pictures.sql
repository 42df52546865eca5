-- Uploaded profile pictures: one per user, already re-encoded by the core (only pixels).
-- `version` is derived from the bytes (for cache-busting URLs); `updated_at` is BIGINT
-- nanoseconds since the Unix epoch, UTC, like every other time. No foreign key, like the
-- sessions: the engine deletes the picture with the account. `{prefix}` is replaced by
-- the configured table prefix.

CREATE TABLE {prefix}pictures (
    user_id      UUID   PRIMARY KEY,
    content_type TEXT   NOT NULL,
    version      TEXT   NOT NULL,
    bytes        BYTEA  NOT NULL,
    updated_at   BIGINT NOT NULL
);
