-- Imports by download. The request and its outcome are folded from the log
-- (image-import-requested, then image-created with its import_id or
-- image-import-failed), so a rebuild gives the same rows.
CREATE TABLE imports (
    id                 uuid        PRIMARY KEY,
    source             text        NOT NULL,
    owner              text,
    namespace_path     text,
    name               text        NOT NULL,
    url                text        NOT NULL,
    sealed_credentials text,
    sha256             text,
    requested_at       timestamptz NOT NULL,
    requested_by       text        NOT NULL,
    requested_role     text,
    status             text        NOT NULL CHECK (status IN ('queued', 'done', 'failed')),
    image_id           uuid,
    error_code         text,
    error_message      text,
    settled_at         timestamptz,
    event_id           uuid        NOT NULL
);

CREATE INDEX imports_queued ON imports (requested_at) WHERE status = 'queued';
CREATE INDEX imports_requester ON imports (requested_by, requested_at);
CREATE INDEX imports_owner ON imports (owner, requested_at);

-- What the import workers know about downloads under way: not a fold of
-- the log but their own progress, so it lives outside the read-model
-- schema and a rebuild leaves it alone (IF NOT EXISTS: a rebuild applies
-- this file to its new copy). durable_bytes of the partial file are on
-- disk (synchronized), so a worker that takes the import over resumes
-- there, with If-Range on the validator the server gave.
CREATE SCHEMA IF NOT EXISTS registry_imports;

CREATE TABLE IF NOT EXISTS registry_imports.progress (
    import_id     uuid        PRIMARY KEY,
    state         text        NOT NULL CHECK (state IN ('downloading', 'verifying', 'published')),
    bytes         bigint      NOT NULL DEFAULT 0,
    total_bytes   bigint,
    durable_bytes bigint      NOT NULL DEFAULT 0,
    validator     text,
    attempts      integer     NOT NULL DEFAULT 0,
    last_error    text,
    worker        text,
    started_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
