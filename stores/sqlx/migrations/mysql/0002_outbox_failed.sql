-- Failed outbox messages (MySQL/MariaDB): mail the engine gave up on is kept, marked with
-- the time it failed, for an administrator to list, discard or retry. Queued messages
-- have failed_at NULL. `{prefix}` is replaced by the configured table prefix.
--
-- One statement, so that the column and its index come together: MySQL commits DDL
-- implicitly and has no ADD COLUMN IF NOT EXISTS.

ALTER TABLE {prefix}outbox
    ADD COLUMN failed_at BIGINT NULL,
    ADD KEY {prefix}outbox_failed_idx (failed_at, id);
