-- Resumable upload sessions: the ingest replicas' own state, not a fold of
-- the log (an upload becomes an event only when it completes), so it lives
-- outside the read-model schema and a rebuild leaves it alone (IF NOT
-- EXISTS: a rebuild applies this file to its new copy). The bytes are in
-- uploads/<id>.part on the blob volume; upload_offset of them are durable.
CREATE SCHEMA IF NOT EXISTS registry_uploads;

CREATE TABLE IF NOT EXISTS registry_uploads.sessions (
    id             uuid        PRIMARY KEY,
    created_by     text        NOT NULL,
    created_role   text        NOT NULL,
    source         text        NOT NULL,
    owner          text,
    namespace_path text,
    name           text        NOT NULL,
    sha256         text,
    declared_size  bigint      CHECK (declared_size > 0),
    upload_offset  bigint      NOT NULL DEFAULT 0 CHECK (upload_offset >= 0),
    header_checked boolean     NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS sessions_updated ON registry_uploads.sessions (updated_at);
