/// An encoded event together with the place it was read from.
public struct LogRecord: Sendable {
    public var position: LogPosition
    public var encoded: EncodedEvent

    public init(position: LogPosition, encoded: EncodedEvent) {
        self.position = position
        self.encoded = encoded
    }
}
