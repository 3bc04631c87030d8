-- Every projected row of a read model, one line each, in an order a replay
-- must repeat (audit entries per partition in sequence order: the numbers
-- themselves depend on how partitions interleaved). Used by
-- scripts/replay-compare; Tests/IntegrationTests/Support/ReadModelSnapshot.swift
-- takes the same rows for the live suites.
SET search_path = read_model;
SELECT 'namespace|' || concat_ws('|', owner, path, visibility, description, created_at, event_id, revoked_fallback, retention)
FROM namespaces ORDER BY owner, path;
SELECT 'image|' || concat_ws('|', id, owner, namespace_path, name, version, sha256, location, size, created_at, event_id,
                             deleted_at, verified, deprecated_at, deprecation_reason, replacement, revoked_at,
                             revocation_reason)
FROM images ORDER BY id;
SELECT 'collaborator|' || concat_ws('|', owner, root_path, username, added_at, event_id) FROM collaborators ORDER BY 1;
SELECT 'audit|' || concat_ws('|', event_id, type, log_partition, log_offset, occurred_at, actor, subject, request_id,
                             username, namespace, image_name, image_id, build_id, data::text, rejected)
FROM audit_events ORDER BY log_partition, sequence;
SELECT 'dead-letter|' || concat_ws('|', log_partition, log_offset, encode(record_key, 'hex'), md5(record_value), reason)
FROM dead_letters ORDER BY log_partition, log_offset;
SELECT 'applied|' || count(*) FROM applied_events;
SELECT 'positions|' || string_agg(log_partition || ':' || next_offset, ',' ORDER BY log_partition) FROM projection_positions;
