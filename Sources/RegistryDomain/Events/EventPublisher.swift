/// Records events in the log and says where each was stored: the port the
/// ingest service writes through (Kafka in production, memory in route tests).
public protocol EventPublisher: Sendable {
    /// Returns once the log has durably acknowledged the event.
    func publish(_ envelope: EventEnvelope) async throws -> LogPosition
}
