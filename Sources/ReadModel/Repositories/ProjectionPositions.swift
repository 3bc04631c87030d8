/// How far the read model has applied the log.
public protocol ProjectionPositions: Sendable {
    /// The next offset the projection will apply in `partition` (0 before any).
    func projectedOffset(partition: Int32) async throws -> Int64

    /// Returns when the read model answers; throws otherwise.
    func ping() async throws
}
