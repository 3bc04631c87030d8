import Foundation

/// An invite to collaborate on the tree of a root namespace, as
/// `POST /v1/namespaces/{owner}/{path}/invites`, `GET /v1/invites` and the
/// accept and reject routes answer it.
public struct InviteResource: Codable, Sendable, Equatable {
    public var id: UUID
    /// The root namespace, `path@owner`.
    public var namespace: String
    public var owner: String
    public var path: String
    /// Who is invited.
    public var username: String
    public var invitedBy: String
    public var createdAt: Date
    /// `pending`, `accepted` or `rejected`.
    public var state: String
    /// Who accepted, declined or withdrew it, and when; absent while pending.
    public var answeredBy: String?
    public var answeredAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, namespace, owner, path, username, state
        case invitedBy = "invited_by"
        case createdAt = "created_at"
        case answeredBy = "answered_by"
        case answeredAt = "answered_at"
    }

    public init(
        id: UUID, namespace: String, owner: String, path: String, username: String, invitedBy: String,
        createdAt: Date, state: String, answeredBy: String?, answeredAt: Date?
    ) {
        self.id = id
        self.namespace = namespace
        self.owner = owner
        self.path = path
        self.username = username
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.state = state
        self.answeredBy = answeredBy
        self.answeredAt = answeredAt
    }
}
