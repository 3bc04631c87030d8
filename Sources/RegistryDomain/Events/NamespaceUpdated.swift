/// Data of a `namespace-updated` event: `owner` changed the namespace at
/// `path`. A new `visibility` applies to the namespace and to every
/// namespace below it (changing a root's changes its whole tree, as in
/// Djinn CI); a new `description` to the namespace alone, an empty one
/// clearing it; `revokedFallback` to the namespace alone: whether a build
/// that asks for an image by name whose newest version is revoked gets the
/// newest version that is not (true) or `410 Gone` (false, the default).
/// `retention` replaces the namespace's retention policy (one without rules
/// removes it). A field left `nil` is unchanged; at least one is set.
public struct NamespaceUpdated: Codable, Sendable, Equatable {
    /// The longest description, in characters.
    public static let maximumDescriptionLength = 1024

    public var owner: Username
    public var path: NamespacePath
    public var visibility: Visibility?
    public var description: String?
    public var revokedFallback: Bool?
    public var retention: RetentionPolicy?

    public init(
        owner: Username, path: NamespacePath, visibility: Visibility?, description: String?, revokedFallback: Bool? = nil,
        retention: RetentionPolicy? = nil
    ) {
        self.owner = owner
        self.path = path
        self.visibility = visibility
        self.description = description
        self.revokedFallback = revokedFallback
        self.retention = retention
    }

    enum CodingKeys: String, CodingKey {
        case owner, path, visibility, description, retention
        case revokedFallback = "revoked_fallback"
    }

    /// Checks what decoding cannot: something changes, and the description
    /// is short text without control characters.
    public func validate() throws(NameError) {
        guard visibility != nil || description != nil || revokedFallback != nil || retention != nil else {
            throw NameError(
                field: "namespace",
                message: "an update must change the visibility, the description, revoked_fallback or retention")
        }
        try retention?.validate()
        if let description {
            try FreeText.validate(description, field: "description", maximumLength: Self.maximumDescriptionLength)
        }
    }
}
