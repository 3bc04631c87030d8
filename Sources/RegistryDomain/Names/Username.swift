/// A user's name, as Djinn CI uses it everywhere in its API (`user` fields,
/// `{owner}` in paths, `path@owner`).
public struct Username: ValidatedString, Comparable {
    /// Longest username accepted, in bytes.
    public static let maximumLength = 64

    public let value: String

    public init(_ value: String, field: String = "user") throws(NameError) {
        guard !value.isEmpty, value.utf8.count <= Self.maximumLength else {
            throw NameError(field: field, message: "must be 1 to \(Self.maximumLength) characters")
        }
        guard value.utf8.allSatisfy(CharacterRules.isNameCharacter) else {
            throw NameError(field: field, message: "may contain only letters, digits, '_' and '-' (got \"\(value)\")")
        }
        self.value = value
    }

    public static func < (lhs: Username, rhs: Username) -> Bool { lhs.value < rhs.value }

    public var description: String { value }

    public init(validating text: String) throws(NameError) {
        try self.init(text)
    }

    public var text: String { value }
}
