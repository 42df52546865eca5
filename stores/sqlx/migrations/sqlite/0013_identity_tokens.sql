-- The provider's tokens kept with a linked identity, when the application asks to keep
-- them: the text `sealed:v1:<key id>:<base64url>` that the engine sealed with
-- XChaCha20-Poly1305 under its identity token keys (the store never holds a token in
-- clear). NULL when none are kept, as for every identity linked before this migration.
-- Deleted with its row when the identity is unlinked. `{prefix}` is replaced by the
-- configured table prefix.

ALTER TABLE {prefix}identities ADD COLUMN tokens TEXT NULL;
