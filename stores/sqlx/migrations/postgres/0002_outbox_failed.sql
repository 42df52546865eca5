-- Failed outbox messages (PostgreSQL): mail the engine gave up on is kept, marked with
-- the time it failed, for an administrator to list, discard or retry. Queued messages
-- have failed_at NULL. `{prefix}` is replaced by the configured table prefix.

ALTER TABLE {prefix}outbox ADD COLUMN failed_at BIGINT NULL;
CREATE INDEX {prefix}outbox_failed_idx ON {prefix}outbox (failed_at, id);
