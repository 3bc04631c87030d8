/// Data of `collaborator-added` and `collaborator-removed`: `username` gains
/// or loses access to the whole tree under `owner`'s root namespace `root`.
public struct CollaboratorChanged: Codable, Sendable, Equatable {
    public var owner: Username
    /// The root namespace the collaborator is attached to (one segment).
    public var root: NamespacePath
    public var username: Username

    public init(owner: Username, root: NamespacePath, username: Username) {
        self.owner = owner
        self.root = root
        self.username = username
    }
}
