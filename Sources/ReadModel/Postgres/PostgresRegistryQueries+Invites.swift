import Foundation
import PostgresNIO
import RegistryDomain

/// ``InviteRepository`` in PostgreSQL (the `invites` table).
extension PostgresRegistryQueries {
    private static let inviteColumns =
        "id, owner, root_path, username, invited_by, sent_at, state, answered_by, answered_at"

    public func invite(_ id: UUID) async throws -> InviteRecord? {
        try await inviteRecords("SELECT \(unescaped: Self.inviteColumns) FROM invites WHERE id = \(id)").first
    }

    public func pendingInvites(to username: Username) async throws -> [InviteRecord] {
        try await inviteRecords("""
            SELECT \(unescaped: Self.inviteColumns) FROM invites
            WHERE username = \(username.value) AND state = 'pending' ORDER BY sent_at, id
            """)
    }

    public func pendingInvites(of root: NamespaceReference) async throws -> [InviteRecord] {
        try await inviteRecords("""
            SELECT \(unescaped: Self.inviteColumns) FROM invites
            WHERE owner = \(root.owner.value) AND root_path = \(root.path.root.value) AND state = 'pending'
            ORDER BY sent_at, id
            """)
    }

    private func inviteRecords(_ query: PostgresQuery) async throws -> [InviteRecord] {
        var result: [InviteRecord] = []
        let rows = try await run(query).decode(
            (UUID, String, String, String, String, Date, String, String?, Date?).self)
        for try await row in rows {
            result.append(try StoredValue.decode {
                InviteRecord(
                    invitation: Invitation(
                        inviteID: row.0, owner: try Username(row.1, field: "invites.owner"),
                        root: try NamespacePath(row.2, field: "invites.root_path"),
                        username: try Username(row.3, field: "invites.username")),
                    invitedBy: row.4, sentAt: row.5,
                    state: try StoredInvite.State(rawValue: row.6).orThrow(
                        NameError(field: "invites.state", message: "unknown state \(row.6)")),
                    answeredBy: row.7, answeredAt: row.8)
            })
        }
        return result
    }
}
