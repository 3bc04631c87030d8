/// A place in the event log: a partition of the topic and an offset in it.
///
/// Written `partition:offset` in the `Registry-Position` header and the
/// `?after=` parameter.
public struct LogPosition: Hashable, Sendable, Codable, CustomStringConvertible {
    public let partition: Int32
    public let offset: Int64

    public init(partition: Int32, offset: Int64) {
        self.partition = partition
        self.offset = offset
    }

    /// Parses `partition:offset`; returns `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let partition = Int32(parts[0]), partition >= 0,
            let offset = Int64(parts[1]), offset >= 0
        else { return nil }
        self.init(partition: partition, offset: offset)
    }

    public var description: String { "\(partition):\(offset)" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let position = Self(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected partition:offset")
        }
        self = position
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
