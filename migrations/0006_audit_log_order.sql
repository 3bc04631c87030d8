-- The audit trail's order: a sequence number the projection gives each entry
-- as it applies it. A partition's entries get increasing numbers in log
-- order. The counter row stays locked until the applying transaction
-- commits, so numbers become visible in order and a cursor never passes an
-- entry that appears later.
CREATE TABLE audit_sequence (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last     bigint  NOT NULL
);

ALTER TABLE audit_events ADD COLUMN sequence bigint;

-- Entries recorded before this migration, in the order of their append time.
UPDATE audit_events SET sequence = ordered.number
FROM (SELECT event_id, row_number() OVER (ORDER BY occurred_at, log_partition, log_offset) AS number
      FROM audit_events) AS ordered
WHERE audit_events.event_id = ordered.event_id;

ALTER TABLE audit_events ALTER COLUMN sequence SET NOT NULL;
CREATE UNIQUE INDEX audit_events_sequence ON audit_events (sequence);
INSERT INTO audit_sequence (last) SELECT coalesce(max(sequence), 0) FROM audit_events;

DROP INDEX audit_events_type;
DROP INDEX audit_events_build;
DROP INDEX audit_events_image;
DROP INDEX audit_events_username;
DROP INDEX audit_events_namespace;
CREATE INDEX audit_events_type ON audit_events (type, sequence);
CREATE INDEX audit_events_build ON audit_events (build_id, sequence) WHERE build_id IS NOT NULL;
CREATE INDEX audit_events_image ON audit_events (image_id, sequence) WHERE image_id IS NOT NULL;
CREATE INDEX audit_events_username ON audit_events (username, sequence);
CREATE INDEX audit_events_namespace ON audit_events (namespace, sequence) WHERE namespace IS NOT NULL;
