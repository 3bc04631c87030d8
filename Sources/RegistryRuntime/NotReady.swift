/// A reason a replica should not receive traffic yet.
public struct NotReady: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
