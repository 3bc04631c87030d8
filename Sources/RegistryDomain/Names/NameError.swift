/// A name, path or field that breaks one of the registry's naming rules.
///
/// The message names the rule, so it can be shown to the caller unchanged.
public struct NameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Which input was wrong, for example `name` or `namespace`.
    public let field: String
    /// The rule that was broken, in plain words.
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

enum CharacterRules {
    /// Letters, digits, `_` and `-`: Djinn CI's rule for custom image names and usernames.
    static func isNameCharacter(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    /// ASCII letters and digits only: Djinn CI's rule for namespace segments.
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
