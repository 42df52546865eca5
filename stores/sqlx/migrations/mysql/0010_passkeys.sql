-- Passkeys (WebAuthn credentials, MySQL/MariaDB): the credential id (base64url, unique
-- across all accounts: its primary key; at most 1364 ASCII characters, what 1023 bytes of
-- credential id encode to), the owner, a name, the webauthn-rs passkey as JSON (public
-- key, algorithm, counter, backup flags: public data), the signature counter and backup
-- flags last seen, the transports (a JSON array of strings, as text) and times (Unix
-- nanoseconds). Found by id at every passkey sign-in, and listed by owner. `{prefix}` is
-- replaced by the configured table prefix.
--
-- One statement, re-runnable: MySQL commits DDL implicitly.

CREATE TABLE IF NOT EXISTS {prefix}passkeys (
    id              VARCHAR(1400)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id         BINARY(16)      NOT NULL,
    name            TEXT            NOT NULL,
    passkey         TEXT            NOT NULL,
    sign_count      BIGINT          NOT NULL,
    backup_eligible BOOLEAN         NOT NULL,
    backup_state    BOOLEAN         NOT NULL,
    transports      TEXT            NOT NULL,
    created_at      BIGINT          NOT NULL,
    last_used_at    BIGINT          NULL,
    PRIMARY KEY (id),
    KEY {prefix}passkeys_user_idx (user_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
