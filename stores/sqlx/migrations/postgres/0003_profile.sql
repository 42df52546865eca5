-- Application-defined profile fields: one JSON object per user (text, so that every
-- backend stores it alike). Existing users get an empty profile. `{prefix}` is replaced
-- by the configured table prefix.

ALTER TABLE {prefix}users ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
