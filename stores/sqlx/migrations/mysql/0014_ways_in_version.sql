-- The ways-in version of an account: a counter that removing a passkey or unlinking an
-- identity by its owner checks and bumps in the same transaction as the removal, so
-- that two removals of an account's last two ways in at the same instant cannot both
-- pass the last-way-in rule (the second finds the version moved on and reads again).
-- 0 for every account until it first loses a way in. `{prefix}` is replaced by the
-- configured table prefix.
--
-- One statement: MySQL commits DDL implicitly.

ALTER TABLE {prefix}users ADD COLUMN ways_in_version BIGINT NOT NULL DEFAULT 0;
