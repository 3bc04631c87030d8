/// Where a stored QCOW2 file lives: a `file://` path on the shared image
/// volume, or an `s3://` or `https://` address of a file stored elsewhere.
public struct ImageLocation: ValidatedString {
    /// Schemes the registry hands to workers.
    public static let allowedSchemes = ["file", "s3", "https"]
    /// Longest location accepted, in bytes.
    public static let maximumLength = 2048

    public let value: String

    public init(_ value: String, field: String = "location") throws(NameError) {
        guard value.utf8.count <= Self.maximumLength else {
            throw NameError(field: field, message: "must be at most \(Self.maximumLength) characters")
        }
        guard let separator = value.range(of: "://"),
            Self.allowedSchemes.contains(String(value[..<separator.lowerBound])),
            value[separator.upperBound...].count > 1
        else {
            throw NameError(field: field, message: "must be a file://, s3:// or https:// URI")
        }
        guard !value.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }),
            !value.split(separator: "/").contains("..")
        else {
            throw NameError(field: field, message: "must not contain spaces, control characters or '..' segments")
        }
        self.value = value
    }

    public var description: String { value }

    public init(validating text: String) throws(NameError) {
        try self.init(text)
    }

    public var text: String { value }
}
