/// Data of a `namespace-updated` event: `owner` changed the namespace at
/// `path`. A new `visibility` applies to the namespace and to every
/// namespace below it (changing a root's changes its whole tree, as in
/// Djinn CI); a new `description` to the namespace alone, an empty one
/// clearing it. A field left `nil` is unchanged; at least one is set.
public struct NamespaceUpdated: Codable, Sendable, Equatable {
    /// The longest description, in characters.
    public static let maximumDescriptionLength = 1024

    public var owner: Username
    public var path: NamespacePath
    public var visibility: Visibility?
    public var description: String?

    public init(owner: Username, path: NamespacePath, visibility: Visibility?, description: String?) {
        self.owner = owner
        self.path = path
        self.visibility = visibility
        self.description = description
    }

    /// Checks what decoding cannot: something changes, and the description
    /// is short text without control characters.
    public func validate() throws(NameError) {
        guard visibility != nil || description != nil else {
            throw NameError(field: "namespace", message: "an update must change the visibility or the description")
        }
        if let description { try Self.validateDescription(description) }
    }

    /// A description: at most ``maximumDescriptionLength`` characters, no
    /// control characters (line breaks included).
    static func validateDescription(_ text: String) throws(NameError) {
        guard text.count <= maximumDescriptionLength else {
            throw NameError(field: "description", message: "must be at most \(maximumDescriptionLength) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw NameError(field: "description", message: "must not contain control characters or line breaks")
        }
    }
}
