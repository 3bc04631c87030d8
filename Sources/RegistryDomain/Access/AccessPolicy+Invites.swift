/// The fold's rules for invites, beside those of
/// ``AccessPolicy/refusal(ofChanging:rootExists:subject:viewer:)``: the
/// owner invites, and only the invitee's acceptance makes a collaborator.
extension AccessPolicy {
    /// What the fold knows about a root when it decides on an invite to it.
    public struct InviteFacts: Sendable, Equatable {
        public var rootExists: Bool
        public var collaborators: Set<Username>
        /// Invitees with a pending invite to the root.
        public var pendingInvitees: Set<Username>
        /// Whether an invite with the event's id exists already.
        public var idTaken: Bool

        public init(rootExists: Bool, collaborators: Set<Username>, pendingInvitees: Set<Username>, idTaken: Bool) {
            self.rootExists = rootExists
            self.collaborators = collaborators
            self.pendingInvitees = pendingInvitees
            self.idTaken = idTaken
        }
    }

    /// `invite-sent`: by the owner (or an administrator) of an existing
    /// root, to someone who neither collaborates on it nor has a pending
    /// invite to it.
    public static func refusal(ofSending invite: Invitation, facts: InviteFacts, subject: String, viewer: Viewer)
        -> Refusal?
    {
        if let refusal = ownersRefusal(
            of: invite.owner, path: invite.root, exists: facts.rootExists, subject: subject, viewer: viewer,
            doing: "invites collaborators")
        {
            return refusal
        }
        let (username, namespace) = (invite.username.value, "\(invite.root.value)@\(invite.owner.value)")
        if facts.idTaken { return Refusal("invite \(invite.inviteID.uuidString.lowercased()) exists already") }
        if facts.collaborators.contains(invite.username) {
            return Refusal("\(username) already collaborates on \(namespace)")
        }
        if facts.pendingInvitees.contains(invite.username) {
            return Refusal("\(username) already has a pending invite to \(namespace)")
        }
        return nil
    }

    /// `invite-accepted` (`accepting`) and `invite-rejected` of the invite
    /// the fold holds as `stored` (`nil`: none with that id). Only the
    /// invitee accepts; the invitee declines, or the owner (or an
    /// administrator) withdraws; a settled invite stays settled.
    public static func refusal(
        ofAnswering invite: Invitation, accepting: Bool, stored: StoredInvite?, subject: String, viewer: Viewer
    ) -> Refusal? {
        if let refusal = wrongKey(subject, owner: invite.owner.value) { return refusal }
        let id = invite.inviteID.uuidString.lowercased()
        guard let stored else { return Refusal("invite \(id) does not exist") }
        guard stored.invitation == invite else { return Refusal("invite \(id) is not to \(invite.username.value)") }
        guard stored.state == .pending else { return Refusal("invite \(id) is already \(stored.state.rawValue)") }
        if viewer.username == invite.username { return nil }
        if !accepting, viewer.isAdministrator || viewer.username == invite.owner { return nil }
        return Refusal(accepting
            ? "only \(invite.username.value) accepts invite \(id)"
            : "only \(invite.username.value) or the owner of \(invite.root.value)@\(invite.owner.value) rejects invite \(id)")
    }
}
