/// Data of a `namespace-deleted` event: `owner` deleted the namespace at
/// `path` with every namespace below it. Every image version in those
/// namespaces is deleted with them; a root's collaborators go too. The
/// path may be used again afterwards, for a new, empty namespace.
public struct NamespaceDeleted: Codable, Sendable, Equatable {
    public var owner: Username
    public var path: NamespacePath

    public init(owner: Username, path: NamespacePath) {
        self.owner = owner
        self.path = path
    }
}
