-- Webhook calls in the outbox (SQLite). The outbox carries audit events to webhook
-- endpoints through the same rows and claims as mail: a webhook call is a row with kind
-- 'webhook', the endpoint's URL in to_address, the event type in subject and the JSON
-- body in text_body (html_body NULL). Unlike mail, a delivered call is kept, marked with
-- the time it was delivered, so that an administrator sees it; queued and failed rows
-- have delivered_at NULL, so mail queued before this migration keeps working as it was.
-- `{prefix}` is replaced by the configured table prefix.

ALTER TABLE {prefix}outbox ADD COLUMN delivered_at BIGINT NULL;
CREATE INDEX {prefix}outbox_delivered_idx ON {prefix}outbox (delivered_at);
CREATE INDEX {prefix}outbox_kind_idx ON {prefix}outbox (kind, created_at, id);
