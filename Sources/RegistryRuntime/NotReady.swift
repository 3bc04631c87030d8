/// A reason a replica should not receive traffic yet.
public struct NotReady: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    /// Why a replica still preparing is not ready, given the last failure of
    /// its preparation: a ``NotReady`` says so itself; any other failure
    /// (PostgreSQL or the broker unreachable) is named only in the log,
    /// which is where its details belong.
    public static func preparing(after failure: (any Error)?) -> NotReady {
        if let reason = failure as? NotReady { return NotReady("not prepared: \(reason)") }
        return NotReady("still preparing: waiting for PostgreSQL and the broker")
    }
}
