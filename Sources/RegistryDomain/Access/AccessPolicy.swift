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

/// Djinn CI's access rules. Whatever a viewer may not see is reported as
/// "not found" by the services, never "forbidden", so private names do not leak.
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

    /// Creating images in a namespace: the owner and collaborators.
    public static func canWrite(_ namespace: NamespaceAccess, viewer: Viewer) -> Bool {
        canWrite(treeOf: namespace.owner, rootCollaborators: namespace.collaborators, viewer: viewer)
    }

    /// Writing anywhere in `owner`'s tree (images, sub-namespaces): the
    /// owner, the collaborators of the root and administrators. The fold
    /// asks this too, with the collaborators at the event's log position.
    public static func canWrite(treeOf owner: Username, rootCollaborators: Set<Username>, viewer: Viewer) -> Bool {
        guard !viewer.isAdministrator else { return true }
        guard let username = viewer.username else { return false }
        return username == owner || rootCollaborators.contains(username)
    }

    /// Adding and removing collaborators: the owner only.
    public static func canManage(_ namespace: NamespaceAccess, viewer: Viewer) -> Bool {
        viewer.isAdministrator || viewer.username == namespace.owner
    }

    /// A personal image is its owner's alone; base images are everyone's.
    public static func canSeePersonalImage(owner: Username, viewer: Viewer) -> Bool {
        viewer.isAdministrator || viewer.username == owner
    }

    private static func isMember(_ namespace: NamespaceAccess, viewer: Viewer) -> Bool {
        guard let username = viewer.username else { return false }
        return username == namespace.owner || namespace.collaborators.contains(username)
    }
}
