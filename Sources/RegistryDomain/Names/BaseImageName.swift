/// The name of a base (default) image that ships with the registry, such as
/// `debian/stable`, `alpine/3.15` or `arch`.
///
/// Base names are one or more `/`-separated segments of letters, digits, `.`,
/// `_` and `-`. A name that is also a valid ``ImageName`` may be shadowed by a
/// custom image of the same name.
public struct BaseImageName: ValidatedString {
    /// Longest name accepted, in bytes.
    public static let maximumLength = 128

    public let value: String

    public init(_ value: String, field: String = "image") throws(NameError) {
        guard !value.isEmpty, value.utf8.count <= Self.maximumLength else {
            throw NameError(field: field, message: "must be 1 to \(Self.maximumLength) characters")
        }
        let segments = value.split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            guard !segment.isEmpty, segment != ".", segment != "..",
                segment.utf8.allSatisfy({ CharacterRules.isNameCharacter($0) || $0 == UInt8(ascii: ".") })
            else {
                throw NameError(
                    field: field,
                    message: "segments may contain only letters, digits, '.', '_' and '-' (got \"\(value)\")"
                )
            }
        }
        self.value = value
    }

    public var description: String { value }

    public init(validating text: String) throws(NameError) {
        try self.init(text)
    }

    public var text: String { value }
}
