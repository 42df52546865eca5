-- Identities at other providers linked to accounts ("Sign in with ..."): the provider's
-- configured name and its stable subject for the person (unique together: one account
-- per identity), the address the provider gave with whether it verified it, and times
-- (INTEGER nanoseconds since the Unix epoch, UTC). Listed by account. No foreign key,
-- like the sessions: a first sign-in links the identity just before it creates the
-- account, and the engine unlinks the identities of a deleted account. `{prefix}` is
-- replaced by the configured table prefix.

CREATE TABLE {prefix}identities (
    provider       TEXT    NOT NULL,
    subject        TEXT    NOT NULL,
    user_id        BLOB    NOT NULL,
    email          TEXT    NULL,
    email_verified BOOLEAN NOT NULL,
    linked_at      BIGINT  NOT NULL,
    last_used_at   BIGINT  NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX {prefix}identities_user_idx ON {prefix}identities (user_id, linked_at);
