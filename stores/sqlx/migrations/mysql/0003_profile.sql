-- Application-defined profile fields (MySQL/MariaDB): one JSON object per user, kept as
-- text (MEDIUMTEXT: the core bounds a profile far below its 16 MiB). Existing users get an
-- empty profile. `{prefix}` is replaced by the configured table prefix.
--
-- One statement: MySQL commits DDL implicitly and has no ADD COLUMN IF NOT EXISTS. The
-- default is an expression, the form both MySQL 8 and MariaDB accept on a text column.

ALTER TABLE {prefix}users ADD COLUMN profile MEDIUMTEXT NOT NULL DEFAULT ('{}');
