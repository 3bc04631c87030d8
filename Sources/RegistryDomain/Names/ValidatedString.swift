/// A string that has passed one of the registry's naming rules. It is
/// coded as a plain JSON string and validated again whenever it is decoded.
public protocol ValidatedString: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The text as it is written on the wire.
    var text: String { get }

    /// Validates `text`, naming the broken rule when it fails.
    init(validating text: String) throws(NameError)
}

extension ValidatedString {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try Self(validating: container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
