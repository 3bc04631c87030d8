/// The name of a custom image, as written in a build manifest's `image:` field.
///
/// Djinn CI allows letters, digits, `_` and `-` only (`^[a-zA-Z0-9_-]+$`), so a
/// custom name never holds a `/`; names with `/` belong to base images
/// (see ``BaseImageName``).
public struct ImageName: ValidatedString {
    /// Longest name accepted, in bytes.
    public static let maximumLength = 128

    public let value: String

    /// Validates `value` against the custom image name rule.
    public init(_ value: String, field: String = "name") throws(NameError) {
        guard !value.isEmpty else {
            throw NameError(field: field, message: "must not be empty")
        }
        guard value.utf8.count <= Self.maximumLength else {
            throw NameError(field: field, message: "must be at most \(Self.maximumLength) characters")
        }
        guard value.utf8.allSatisfy(CharacterRules.isNameCharacter) else {
            throw NameError(field: field, message: "may contain only letters, digits, '_' and '-' (got \"\(value)\")")
        }
        self.value = value
    }

    public var description: String { value }

    public init(validating text: String) throws(NameError) {
        try self.init(text)
    }

    public var text: String { value }
}
