/// An image as a manifest or a client names it: `name`, or `name@sha256:<hex>`
/// to pin one exact version.
public struct ImageReference: Sendable, Equatable {
    public var name: String
    public var digest: SHA256Digest?

    public init(name: String, digest: SHA256Digest? = nil) {
        self.name = name
        self.digest = digest
    }

    /// Parses `name[@sha256:<hex>]`; the name itself is checked by the resolution rules.
    public init(parsing text: String, field: String = "image") throws(NameError) {
        guard let at = text.firstIndex(of: "@") else {
            self.init(name: text)
            return
        }
        let pin = text[text.index(after: at)...]
        guard pin.hasPrefix("sha256:") else {
            throw NameError(field: field, message: "a pinned image is written name@sha256:<64 hex characters>")
        }
        self.init(
            name: String(text[..<at]),
            digest: try SHA256Digest(hex: String(pin.dropFirst("sha256:".count)), field: field))
    }

    public var description: String {
        digest.map { "\(name)@sha256:\($0.hex)" } ?? name
    }
}
