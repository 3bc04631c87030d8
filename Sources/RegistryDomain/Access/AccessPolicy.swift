/// Who is asking: a signed-in user (possibly an administrator) or nobody.
public struct Viewer: Sendable, Equatable {
    public var username: Username?
    public var isAdministrator: Bool

    public init(username: Username?, isAdministrator: Bool = false) {
        self.username = username
        self.isAdministrator = isAdministrator
    }

    /// Someone without a token, or whose token lacks the read scope.
    public static let anonymous = Viewer(username: nil)
}

/// What the registry knows about a namespace tree when deciding access:
/// its owner, the namespace's visibility and the collaborators of its root.
public struct NamespaceAccess: Sendable, Equatable {
    public var owner: Username
    public var visibility: Visibility
    public var collaborators: Set<Username>

    public init(owner: Username, visibility: Visibility, collaborators: Set<Username>) {
        self.owner = owner
        self.visibility = visibility
        self.collaborators = collaborators
    }
}

/// Where an existing image version lives, as access rules see it.
public enum ImagePlacement: Sendable, Equatable {
    /// A base (default) image: everyone's.
    case base
    /// A personal image: its owner's alone.
    case personal(owner: Username)
    /// In a namespace: it follows the namespace.
    case namespace(NamespaceAccess)
}

/// Where a new image (or namespace) is to be written.
public enum WriteTarget: Sendable, Equatable {
    case base
    case personal(owner: Username)
    /// A namespace that exists.
    case namespace(NamespaceAccess)
    /// A namespace of `owner`'s tree that does not exist yet and would be
    /// created with the write; `root` is the tree's root, when it exists.
    case newNamespace(owner: Username, root: NamespaceAccess?)
}

/// The one home of every access decision: Djinn CI's rules, pure, for a
/// viewer and the state a request concerns. Handlers ask it and nothing
/// else; the SQL visibility predicate (`imageVisibleTo:` in the read model)
/// writes ``canSee(_:viewer:)-(ImagePlacement,_)`` in SQL, and the
/// access-matrix test checks that both agree with the services.
///
/// Whatever a viewer may not see is reported as "not found" by the
/// services, never "forbidden", so private names do not leak.
public enum AccessPolicy {
    /// `public`: anyone. `internal`: any signed-in user. `private`: the owner
    /// and the collaborators of the root namespace. Administrators see all.
    public static func canSee(_ namespace: NamespaceAccess, viewer: Viewer) -> Bool {
        if viewer.isAdministrator { return true }
        switch namespace.visibility {
        case .public: return true
        case .internal: return viewer.username != nil
        case .private: return isMember(namespace, viewer: viewer)
        }
    }

    /// Seeing, listing and downloading an image: base images are everyone's,
    /// a personal image is its owner's, a namespaced image follows its namespace.
    public static func canSee(_ image: ImagePlacement, viewer: Viewer) -> Bool {
        switch image {
        case .base: true
        case .personal(let owner): viewer.isAdministrator || viewer.username == owner
        case .namespace(let namespace): canSee(namespace, viewer: viewer)
        }
    }

    /// Writing images and sub-namespaces in a namespace's tree: the owner and
    /// the root's collaborators.
    public static func canWrite(_ namespace: NamespaceAccess, viewer: Viewer) -> Bool {
        canWrite(treeOf: namespace.owner, rootCollaborators: namespace.collaborators, viewer: viewer)
    }

    /// Writing anywhere in `owner`'s tree: the owner, the collaborators of
    /// the root and administrators.
    public static func canWrite(treeOf owner: Username, rootCollaborators: Set<Username>, viewer: Viewer) -> Bool {
        guard !viewer.isAdministrator else { return true }
        guard let username = viewer.username else { return false }
        return username == owner || rootCollaborators.contains(username)
    }

    /// Registering (or uploading) an image, or creating a namespace, at
    /// `target`. Base images: administrators. Personal images: their owner.
    /// In a namespace: its tree's owner and collaborators; a namespace that
    /// does not exist yet is created with the write, in the caller's own
    /// tree or a tree they collaborate on.
    public static func canWrite(_ target: WriteTarget, viewer: Viewer) -> Bool {
        switch target {
        case .base: viewer.isAdministrator
        case .personal(let owner): viewer.isAdministrator || viewer.username == owner
        case .namespace(let namespace): canWrite(namespace, viewer: viewer)
        case .newNamespace(let owner, let root):
            root.map { canWrite($0, viewer: viewer) }
                ?? canWrite(treeOf: owner, rootCollaborators: [], viewer: viewer)
        }
    }

    /// Deleting an image version: who may write where it lives.
    public static func canDelete(_ image: ImagePlacement, viewer: Viewer) -> Bool {
        switch image {
        case .base: canWrite(.base, viewer: viewer)
        case .personal(let owner): canWrite(.personal(owner: owner), viewer: viewer)
        case .namespace(let namespace): canWrite(namespace, viewer: viewer)
        }
    }

    /// Adding and removing collaborators, and seeing them: the owner only.
    public static func canManage(_ namespace: NamespaceAccess, viewer: Viewer) -> Bool {
        viewer.isAdministrator || viewer.username == namespace.owner
    }

    /// Resolving an image for a build of `user`: the scheduler (a service
    /// token with `image:resolve`) for anyone, a signed-in reader for their
    /// own builds. What the build may then use is decided for `user`.
    public static func canResolve(for user: Username, viewer: Viewer, isScheduler: Bool) -> Bool {
        isScheduler || viewer.username == user
    }

    private static func isMember(_ namespace: NamespaceAccess, viewer: Viewer) -> Bool {
        guard let username = viewer.username else { return false }
        return username == namespace.owner || namespace.collaborators.contains(username)
    }
}
