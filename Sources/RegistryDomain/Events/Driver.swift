/// The build driver an image is for. Only Djinn CI's QEMU driver uses
/// uploaded images (architecture `x86_64`).
public enum Driver: String, Codable, Sendable {
    case qemu

    /// Parses a driver name, naming the supported drivers when it is unknown.
    public init(parsing text: String, field: String = "driver") throws(NameError) {
        guard let driver = Driver(rawValue: text) else {
            throw NameError(field: field, message: "unknown driver \"\(text)\": only \"qemu\" uses stored images")
        }
        self = driver
    }
}

/// Whether an image was uploaded by a user or ships as a base image.
public enum ImageSource: String, Codable, Sendable {
    case custom
    case base

    /// Parses a source name, naming the allowed ones when it is unknown.
    public init(parsing text: String, field: String = "source") throws(NameError) {
        guard let source = ImageSource(rawValue: text) else {
            throw NameError(field: field, message: "must be \"custom\" or \"base\" (got \"\(text)\")")
        }
        self = source
    }
}
