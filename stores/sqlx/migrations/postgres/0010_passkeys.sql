-- Passkeys (WebAuthn credentials): the credential id (base64url, unique across all
-- accounts: its primary key), the owner, a name, the webauthn-rs passkey as JSON (public
-- key, algorithm, counter, backup flags: public data), the signature counter and backup
-- flags last seen, the transports (a JSON array of strings, as text) and times (Unix
-- nanoseconds). Found by id at every passkey sign-in, and listed by owner. `{prefix}` is
-- replaced by the configured table prefix.

CREATE TABLE {prefix}passkeys (
    id              TEXT    PRIMARY KEY,
    user_id         UUID    NOT NULL,
    name            TEXT    NOT NULL,
    passkey         TEXT    NOT NULL,
    sign_count      BIGINT  NOT NULL,
    backup_eligible BOOLEAN NOT NULL,
    backup_state    BOOLEAN NOT NULL,
    transports      TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    last_used_at    BIGINT  NULL
);
CREATE INDEX {prefix}passkeys_user_idx ON {prefix}passkeys (user_id, created_at);
