-- The ingest service's record of each Idempotency-Key: which request first
-- used it (its fingerprint) and the event that request recorded. This is
-- command state, not a fold of the log, so it lives outside the read-model
-- schema and a rebuild leaves it alone (IF NOT EXISTS: the rebuild applies
-- this file again to its new copy).
CREATE SCHEMA IF NOT EXISTS registry_ingest;
CREATE TABLE IF NOT EXISTS registry_ingest.idempotency_keys (
    caller      text        NOT NULL,
    scope       text        NOT NULL,
    key         text        NOT NULL,
    fingerprint text        NOT NULL,
    event_id    uuid        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, scope, key)
);
