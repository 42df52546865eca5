-- Second factors: short-lived single-use entries (pending sign-ins, used one-time-password steps): the
-- `EphemeralStore` of auth-core. Keys longer than 255 bytes are stored as their SHA-256.
-- `expires_at` is Unix nanoseconds, like every instant of this schema. `{prefix}` is
-- replaced by the configured table prefix.

CREATE TABLE {prefix}ephemeral (
    entry_key  TEXT   PRIMARY KEY,
    value      BYTEA  NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX {prefix}ephemeral_expires_idx ON {prefix}ephemeral (expires_at);

-- The second factor enrolled on an account (auth-core's `SecondFactor` as JSON: the
-- sealed TOTP secret and the digests of unused recovery codes), NULL when none.
ALTER TABLE {prefix}users ADD COLUMN second_factor TEXT NULL;
