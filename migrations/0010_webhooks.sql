-- Webhooks of a namespace (and every namespace below it). A webhook lives
-- from the log position of its webhook-created to that of its
-- webhook-deleted (or of the deletion of its namespace), so the dispatcher
-- can tell which webhooks an event at any position goes to; the owner's
-- events share one partition, so offsets compare.
CREATE TABLE webhooks (
    id             uuid        PRIMARY KEY,
    owner          text        NOT NULL,
    path           text        NOT NULL,
    url            text        NOT NULL,
    topics         text[]      NOT NULL,
    active         boolean     NOT NULL,
    sealed_secret  text,
    created_at     timestamptz NOT NULL,
    created_by     text        NOT NULL,
    log_partition  integer     NOT NULL,
    created_offset bigint      NOT NULL,
    deleted_offset bigint,
    deleted_at     timestamptz,
    event_id       uuid        NOT NULL
);

CREATE INDEX webhooks_namespace ON webhooks (owner, path);

-- The dispatcher's own state: not a fold of the log but a record of what
-- it sent, so it lives outside the read-model schema and a rebuild leaves
-- it alone (IF NOT EXISTS: a rebuild applies this file to its new copy).
CREATE SCHEMA IF NOT EXISTS registry_webhooks;

-- The next offset the dispatcher handles, by partition.
CREATE TABLE IF NOT EXISTS registry_webhooks.positions (
    log_partition integer PRIMARY KEY,
    next_offset   bigint      NOT NULL CHECK (next_offset >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per delivery (a webhook and an event), with its latest attempt.
-- The id is derived from the webhook and the event, so a delivery sent
-- again after a crash carries the same id. handled_event_id is the event
-- whose handling set the state: the delivered event, or the redelivery
-- request that sent it again.
CREATE TABLE IF NOT EXISTS registry_webhooks.deliveries (
    id            uuid        PRIMARY KEY,
    webhook_id    uuid        NOT NULL,
    event_id      uuid        NOT NULL,
    event_type    text        NOT NULL,
    topic         text        NOT NULL,
    action        text        NOT NULL,
    body          text        NOT NULL,
    attempts      integer     NOT NULL,
    state         text        NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    handled_event_id uuid     NOT NULL,
    status_code   integer,
    duration_ms   integer     NOT NULL,
    error         text,
    first_sent_at timestamptz NOT NULL,
    last_sent_at  timestamptz NOT NULL,
    -- When the current handling began (the retry period counts from it) and
    -- when a pending delivery is tried next.
    retry_since   timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS deliveries_webhook ON registry_webhooks.deliveries (webhook_id, first_sent_at);
