/// A namespace as users write it: `path` for one of their own, or
/// `path@owner` for one owned by someone else (`team/infra@alice`).
public struct NamespaceReference: Hashable, Sendable, CustomStringConvertible {
    public let path: NamespacePath
    public let owner: Username

    public init(path: NamespacePath, owner: Username) {
        self.path = path
        self.owner = owner
    }

    /// Parses `path[@owner]`; without `@owner` the namespace belongs to
    /// `defaultOwner`, and when that is `nil` the owner must be written.
    public init(parsing text: String, defaultOwner: Username?, field: String = "namespace") throws(NameError) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        switch (parts.count, defaultOwner) {
        case (1, let owner?):
            self.init(path: try NamespacePath(text, field: field), owner: owner)
        case (2, _):
            self.init(
                path: try NamespacePath(String(parts[0]), field: field),
                owner: try Username(String(parts[1]), field: field)
            )
        case (1, nil):
            throw NameError(field: field, message: "must be written path@owner (got \"\(text)\")")
        default:
            throw NameError(field: field, message: "must be written path or path@owner (got \"\(text)\")")
        }
    }

    /// The canonical form, `path@owner`.
    public var description: String { "\(path.value)@\(owner.value)" }
}
