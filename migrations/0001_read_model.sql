-- Read model of the image registry: everything here is a fold of the event
-- topic and can be rebuilt by replaying it from offset 0.

-- Where the projection stands in each partition of the event topic. Updated
-- in the same transaction as the rows an event changes.
CREATE TABLE projection_positions (
    log_partition integer PRIMARY KEY,
    next_offset   bigint      NOT NULL CHECK (next_offset >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Every event applied, by id: a duplicate (a producer retry stored at a
-- second offset) changes nothing.
CREATE TABLE applied_events (
    event_id      uuid    PRIMARY KEY,
    log_partition integer NOT NULL,
    log_offset    bigint  NOT NULL
);

CREATE TABLE namespaces (
    owner       text        NOT NULL,
    path        text        NOT NULL,
    parent_path text,
    visibility  text        NOT NULL CHECK (visibility IN ('public', 'internal', 'private')),
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    event_id    uuid        NOT NULL,
    PRIMARY KEY (owner, path)
);

-- One row per image version. Base images have no owner; personal images no
-- namespace. The name resolves to the newest version that is not deleted.
CREATE TABLE images (
    id             uuid        PRIMARY KEY,
    source         text        NOT NULL CHECK (source IN ('custom', 'base')),
    owner          text,
    namespace_path text,
    name           text        NOT NULL,
    version        integer     NOT NULL CHECK (version > 0),
    driver         text        NOT NULL,
    location       text        NOT NULL,
    sha256         text        NOT NULL,
    size           bigint      NOT NULL CHECK (size > 0),
    created_at     timestamptz NOT NULL,
    created_by     text        NOT NULL,
    event_id       uuid        NOT NULL UNIQUE,
    deleted_at     timestamptz,
    CHECK ((source = 'base') = (owner IS NULL))
);

CREATE UNIQUE INDEX images_name_version
    ON images (coalesce(owner, ''), coalesce(namespace_path, ''), name, version);
CREATE INDEX images_owner_name ON images (owner, name) WHERE deleted_at IS NULL;

-- The ordered event history auditors query.
CREATE TABLE audit_events (
    event_id       uuid        PRIMARY KEY,
    log_partition  integer     NOT NULL,
    log_offset     bigint      NOT NULL,
    type           text        NOT NULL,
    occurred_at    timestamptz NOT NULL,
    actor          text        NOT NULL,
    subject        text        NOT NULL,
    request_id     text,
    username       text,
    namespace      text,
    image_name     text,
    image_id       uuid,
    build_id       text,
    data           jsonb       NOT NULL
);

CREATE INDEX audit_events_type ON audit_events (type, event_id);
CREATE INDEX audit_events_build ON audit_events (build_id, event_id) WHERE build_id IS NOT NULL;
CREATE INDEX audit_events_image ON audit_events (image_id, event_id) WHERE image_id IS NOT NULL;
CREATE INDEX audit_events_username ON audit_events (username, event_id);
CREATE INDEX audit_events_namespace ON audit_events (namespace, event_id) WHERE namespace IS NOT NULL;

-- Records that could not be applied (undecodable, unknown type or schema
-- version, broken domain rule), kept with their bytes and the reason.
CREATE TABLE dead_letters (
    log_partition integer     NOT NULL,
    log_offset    bigint      NOT NULL,
    record_key    bytea       NOT NULL,
    headers       jsonb       NOT NULL,
    record_value  bytea       NOT NULL,
    reason        text        NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (log_partition, log_offset)
);
