/// The log did not acknowledge a write: the broker is unreachable, or
/// refused it. Nothing is known to be stored; the client may retry.
public struct EventLogUnavailable: Error, Sendable, CustomStringConvertible {
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "the event log did not acknowledge the write: \(reason)" }
}
