import Foundation
import RegistryDomain

/// An invite as the read model holds it.
public struct InviteRecord: Sendable, Equatable {
    public var invitation: Invitation
    public var invitedBy: String
    public var sentAt: Date
    public var state: StoredInvite.State
    /// Who accepted, declined or withdrew it; `nil` while pending.
    public var answeredBy: String?
    public var answeredAt: Date?

    public init(
        invitation: Invitation, invitedBy: String, sentAt: Date, state: StoredInvite.State, answeredBy: String? = nil,
        answeredAt: Date? = nil
    ) {
        self.invitation = invitation
        self.invitedBy = invitedBy
        self.sentAt = sentAt
        self.state = state
        self.answeredBy = answeredBy
        self.answeredAt = answeredAt
    }
}

/// The invites of the read model.
public protocol InviteRepository: Sendable {
    /// One invite, whatever its state.
    func invite(_ id: UUID) async throws -> InviteRecord?

    /// The pending invites to `username`, oldest first.
    func pendingInvites(to username: Username) async throws -> [InviteRecord]

    /// The pending invites to `root` (a root namespace), oldest first.
    func pendingInvites(of root: NamespaceReference) async throws -> [InviteRecord]
}
