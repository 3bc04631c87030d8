/// What one retention policy looks after: the versions of one namespace
/// (not those below it), or a user's personal images, which fall under the
/// deployment's default policy for personal images.
public enum RetentionTarget: Hashable, Sendable, CustomStringConvertible {
    case namespace(NamespaceReference)
    case personal(Username)

    /// Who owns the versions (the subject of the events that remove them).
    public var owner: Username {
        switch self {
        case .namespace(let namespace): namespace.owner
        case .personal(let user): user
        }
    }

    /// The namespace's path; `nil` for personal images.
    public var namespacePath: NamespacePath? {
        switch self {
        case .namespace(let namespace): namespace.path
        case .personal: nil
        }
    }

    /// `path@owner`, or `personal images of user`.
    public var description: String {
        switch self {
        case .namespace(let namespace): namespace.description
        case .personal(let user): "personal images of \(user.value)"
        }
    }
}
