-- Second factors: short-lived single-use entries (pending sign-ins, used one-time-password steps): the
-- `EphemeralStore` of auth-core (MySQL/MariaDB). Keys longer than 255 bytes are stored as
-- their SHA-256, so VARCHAR(512) holds every key. `expires_at` is Unix nanoseconds, like
-- every instant of this schema. `{prefix}` is replaced by the configured table prefix.

CREATE TABLE IF NOT EXISTS {prefix}ephemeral (
    entry_key  VARCHAR(512) NOT NULL,
    value      MEDIUMBLOB   NOT NULL,
    expires_at BIGINT       NOT NULL,
    PRIMARY KEY (entry_key),
    KEY {prefix}ephemeral_expires_idx (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The second factor enrolled on an account (auth-core's `SecondFactor` as JSON: the
-- sealed TOTP secret and the digests of unused recovery codes), NULL when none.
ALTER TABLE {prefix}users ADD COLUMN second_factor MEDIUMTEXT NULL;
