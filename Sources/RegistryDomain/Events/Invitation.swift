import Foundation

/// Data of `invite-sent`, `invite-accepted` and `invite-rejected`: the
/// invite `inviteID` asks `username` to collaborate on the tree of `owner`'s
/// root namespace `root`. The owner sends it; only the invitee accepts it
/// (and becomes a collaborator then, not before); the invitee declines it
/// or the owner withdraws it with `invite-rejected`.
public struct Invitation: Codable, Sendable, Equatable {
    public var inviteID: UUID
    public var owner: Username
    /// The root namespace the invite is to (one segment).
    public var root: NamespacePath
    public var username: Username

    enum CodingKeys: String, CodingKey {
        case inviteID = "invite_id"
        case owner, root, username
    }

    public init(inviteID: UUID, owner: Username, root: NamespacePath, username: Username) {
        self.inviteID = inviteID
        self.owner = owner
        self.root = root
        self.username = username
    }

    /// Checks what decoding cannot: the namespace is a root, and nobody
    /// invites themselves.
    public func validate() throws(NameError) {
        guard root.parent == nil else {
            throw NameError(field: "root", message: "an invite is to a root namespace, not to \(root.value)")
        }
        guard username != owner else {
            throw NameError(field: "username", message: "the owner of a namespace does not invite themselves")
        }
    }
}

/// An invite as the fold knows it when it decides on a reply to it.
public struct StoredInvite: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case pending, accepted, rejected
    }

    public var invitation: Invitation
    public var state: State

    public init(invitation: Invitation, state: State) {
        self.invitation = invitation
        self.state = state
    }
}
