-- What proved each session, for step-up: `amr` is the JSON array of the methods used
-- (`["pwd","otp"]`), `auth_time` when the sign-in was proved and `proved_at` when the
-- session last showed a fresh proof (BIGINT nanoseconds since the Unix epoch, UTC, like
-- every other time). NULL in sessions created before this migration: the store reads
-- them as a password sign-in at the session's creation. `{prefix}` is replaced by the
-- configured table prefix.

ALTER TABLE {prefix}sessions ADD COLUMN amr TEXT NULL;
ALTER TABLE {prefix}sessions ADD COLUMN auth_time BIGINT NULL;
ALTER TABLE {prefix}sessions ADD COLUMN proved_at BIGINT NULL;
