/// Decides where assigned partitions resume, and learns when they are
/// taken away or cannot be read.
public protocol PartitionAssignmentHandler: Sendable {
    /// Called when the group assigns `partitions`; returns, for each, the next
    /// offset to read. A partition left out starts from the earliest record.
    func partitionsAssigned(_ partitions: [Int32]) async throws -> [Int32: Int64]

    /// Called when the group takes `partitions` away, before another member
    /// may receive them.
    func partitionsRevoked(_ partitions: [Int32]) async

    /// Called when `partition` cannot be read from `offset`, the position
    /// the handler gave: the log no longer holds it (retention deleted the
    /// records up to a later offset) or never did. The consumer never skips
    /// to another offset by itself: the partition delivers nothing more
    /// until it is assigned again. Called on the consumer's poll thread:
    /// return at once.
    func positionOutOfRange(partition: Int32, offset: Int64, reason: String)
}
