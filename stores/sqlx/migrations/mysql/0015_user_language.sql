-- The language a person chose for the account (MySQL/MariaDB): a language tag such as
-- `de` or `pt-BR`, one the application offers, the language of its mails. NULL means the
-- default language, as for every account created before this migration. `{prefix}` is
-- replaced by the configured table prefix.
--
-- One statement: MySQL commits DDL implicitly.

ALTER TABLE {prefix}users ADD COLUMN language VARCHAR(64) NULL;
