import RegistryDomain

extension NamespaceRepository {
    /// Where `image` lives, as ``AccessPolicy`` needs it; `nil` for a
    /// record with neither owner nor base source. A version whose namespace
    /// was deleted (and the version with it) is its owner's alone, as a
    /// private namespace without collaborators, as the SQL visibility rule
    /// has it.
    public func placement(of image: ImageRecord) async throws -> ImagePlacement? {
        guard let owner = image.owner else { return image.source == .base ? .base : nil }
        guard let namespace = image.namespace else { return .personal(owner: owner) }
        return .namespace(
            try await namespaceAccess(namespace)
                ?? NamespaceAccess(owner: owner, visibility: .private, collaborators: []))
    }

    /// Where a write into `scope` goes, as ``AccessPolicy`` needs it.
    public func writeTarget(_ scope: ImageScope) async throws -> WriteTarget {
        switch scope {
        case .base: return .base
        case .personal(let owner, _): return .personal(owner: owner)
        case .namespace(let namespace, _): return try await writeTarget(namespace)
        }
    }

    /// Where creating (or writing into) `namespace` goes.
    public func writeTarget(_ namespace: NamespaceReference) async throws -> WriteTarget {
        if let access = try await namespaceAccess(namespace) {
            return .namespace(access)
        }
        let root = try await namespaceAccess(NamespaceReference(path: namespace.path.root, owner: namespace.owner))
        return .newNamespace(owner: namespace.owner, root: root)
    }
}
