/// Every metric family the services expose, by the label the code records
/// it under through swift-metrics: its Prometheus name and help text.
/// Hummingbird's own metrics get names by Prometheus' conventions here
/// (`_total` on counters, the unit last).
enum MetricCatalog {
    struct Family: Sendable {
        let name: String
        let help: String
    }

    static let families: [String: Family] = [
        // Hummingbird's MetricsMiddleware.
        "hb.requests": Family(
            name: "http_server_requests_total", help: "HTTP requests answered, by route, method and status code."),
        "hb.request.errors": Family(
            name: "http_server_request_errors_total",
            help: "HTTP requests that ended in an error, by route, method and status code."),
        "http.server.request.duration": Family(
            name: "http_server_request_duration_seconds",
            help: "Time from receiving an HTTP request to answering it, by route, method and status code."),
        "http.server.active_requests": Family(
            name: "http_server_active_requests", help: "HTTP requests being answered now, by method."),
        // The ingest service.
        "registry_produce_duration_seconds": Family(
            name: "registry_produce_duration_seconds",
            help: "Time from sending an event to the broker acknowledging it."),
        "registry_events_produced_total": Family(
            name: "registry_events_produced_total", help: "Events the broker acknowledged, by event type."),
        "registry_produce_failures_total": Family(
            name: "registry_produce_failures_total",
            help: "Writes answered 503 because the broker did not acknowledge their event."),
        "registry_produced_next_offset": Family(
            name: "registry_produced_next_offset",
            help: "One past the last offset the broker acknowledged to this replica, by partition."),
        // The projector service.
        "registry_events_applied_total": Family(
            name: "registry_events_applied_total", help: "Events applied to the read model."),
        "registry_events_duplicate_total": Family(
            name: "registry_events_duplicate_total",
            help: "Records skipped because their event id was applied before."),
        "registry_dead_letters_total": Family(
            name: "registry_dead_letters_total", help: "Records set aside as dead letters (they cannot be applied)."),
        "registry_projection_batch_size": Family(
            name: "registry_projection_batch_size", help: "Records per batch applied in one transaction."),
        "registry_projection_batch_duration_seconds": Family(
            name: "registry_projection_batch_duration_seconds",
            help: "Time to apply one batch of records, transaction included."),
        "registry_projection_next_offset": Family(
            name: "registry_projection_next_offset",
            help: "The next offset the read model needs, by partition this replica holds."),
        "registry_projection_lag_records": Family(
            name: "registry_projection_lag_records",
            help: "Records this replica has received but not applied yet, by partition."),
        "registry_projection_log_gap": Family(
            name: "registry_projection_log_gap",
            help: "1 while the partition is stopped because the log no longer holds the next record the read model needs."),
        // The webhook dispatcher (in projector replicas).
        "registry_webhook_deliveries_total": Family(
            name: "registry_webhook_deliveries_total",
            help: "Webhook deliveries settled, by state: delivered, or failed (given up on)."),
        "registry_webhook_attempt_duration_seconds": Family(
            name: "registry_webhook_attempt_duration_seconds",
            help: "Time per webhook delivery attempt, the receiver's answer or the error included."),
        // The import workers (in ingest replicas).
        "registry_blob_collections_total": Family(
            name: "registry_blob_collections_total",
            help: "Garbage collection runs of the blob store, by outcome (done, skipped: another replica ran, failed)."),
        "registry_blob_collection_freed_bytes_total": Family(
            name: "registry_blob_collection_freed_bytes_total", help: "Bytes garbage collection removed from the blob store."),
        "registry_blob_collection_removed_files_total": Family(
            name: "registry_blob_collection_removed_files_total", help: "Files garbage collection removed from the blob store."),
        "registry_imports_total": Family(
            name: "registry_imports_total",
            help: "Imports by download that ended, by outcome: done, or failed."),
        // Both services.
        "registry_event_log_retention_finite": Family(
            name: "registry_event_log_retention_finite",
            help: "1 when the event topic deletes records (finite retention or compaction), 0 when it keeps them forever."),
    ]

    /// The Prometheus name and help text of what the code records as
    /// `label`; a label not in the catalog keeps its name, made valid, and
    /// has no help text (the metrics check in the tests names it).
    static func family(for label: String) -> Family {
        families[label] ?? Family(name: sanitized(label), help: "")
    }

    /// `text` with every character Prometheus does not allow in a name
    /// replaced by `_`.
    static func sanitized(_ text: String) -> String {
        let allowed = text.unicodeScalars.enumerated().map { index, scalar -> Character in
            let isLetter = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
            let isDigit = ("0"..."9").contains(scalar)
            return isLetter || (isDigit && index > 0) ? Character(scalar) : "_"
        }
        return String(allowed)
    }
}
