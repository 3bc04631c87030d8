import ReadModel
import RegistryDomain
import RegistryHTTP

/// The rules every image registration follows, one image at a time or in a
/// batch: which locations it may name, who may write where, and when it
/// changes nothing.
struct ImageWriteRules: Sendable {
    let queries: any RegistryQueries
    let fileRoots: FileRoots

    /// The registration's fields, validated for `caller`; 400 naming the
    /// broken rule.
    func validated(_ command: RegisterImageCommand, for caller: Caller) throws -> RegisterImageCommand.ValidatedImage {
        let image = try command.validated(for: caller)
        if image.location.value.hasPrefix("file://"), fileRoots.path(of: image.location) == nil {
            throw APIError.badRequest(
                "location: file:// locations must lie inside the image store (\(fileRoots.roots.joined(separator: ", ")))",
                code: "invalid_field")
        }
        return image
    }

    /// Base images: administrators. Personal images: their owner. In a
    /// namespace: its owner and collaborators; a namespace that does not
    /// exist yet is created with the image, in the caller's own tree only.
    /// 404 otherwise, so that nothing reveals what exists.
    func authorize(_ caller: Caller, toWrite scope: ImageScope) async throws {
        let viewer = caller.viewer
        switch scope {
        case .base:
            guard viewer.isAdministrator else { throw APIError.notFound("base images are managed by administrators") }
        case .personal(let owner, _):
            guard owner == caller.username || viewer.isAdministrator else { throw APIError.notFound("user not found") }
        case .namespace(let namespace, _):
            if let access = try await queries.namespaceAccess(
                owner: namespace.owner.value, path: namespace.path.value)
            {
                guard AccessPolicy.canWrite(access, viewer: viewer) else {
                    throw APIError.notFound("namespace \(namespace) not found")
                }
            } else if namespace.owner != caller.username {
                if let root = try await queries.namespaceAccess(
                    owner: namespace.owner.value, path: namespace.path.root.value),
                    AccessPolicy.canWrite(root, viewer: viewer)
                {
                    return  // a collaborator may create sub-namespaces in the tree
                }
                throw APIError.notFound("namespace \(namespace) not found")
            }
        }
    }

    /// The newest version of `scope` if it holds exactly these bytes:
    /// registering them again changes nothing.
    func unchangedVersion(of scope: ImageScope, sha256: SHA256Digest) async throws -> ImageRecord? {
        try await unchangedVersions(of: [(scope, sha256)])[scope]
    }

    /// ``unchangedVersion(of:sha256:)`` for many scopes in one query.
    func unchangedVersions(of images: [(scope: ImageScope, sha256: SHA256Digest)]) async throws
        -> [ImageScope: ImageRecord]
    {
        let newest = try await queries.newestVersions(in: images.map(\.scope))
        return Dictionary(uniqueKeysWithValues: images.compactMap { image in
            newest[image.scope].flatMap { $0.sha256 == image.sha256.hex ? (image.scope, $0) : nil }
        })
    }
}
