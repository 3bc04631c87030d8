/// Decides where assigned partitions resume, and learns when they are taken away.
public protocol PartitionAssignmentHandler: Sendable {
    /// Called when the group assigns `partitions`; returns, for each, the next
    /// offset to read. A partition left out starts from the earliest record.
    func partitionsAssigned(_ partitions: [Int32]) async throws -> [Int32: Int64]

    /// Called when the group takes `partitions` away, before another member
    /// may receive them.
    func partitionsRevoked(_ partitions: [Int32]) async
}
