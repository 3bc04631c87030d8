import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// The fold of `invite-sent`, `invite-accepted` and `invite-rejected`
/// (``AccessPolicy/refusal(ofSending:facts:subject:viewer:)`` and
/// ``AccessPolicy/refusal(ofAnswering:accepting:stored:subject:viewer:)``
/// decide): an accepted invite makes its invitee a collaborator of the root.
enum InviteFold {
    typealias Entry = EventApplier.Entry

    static func send(
        _ invite: Invitation, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let envelope = entry.envelope
        let root = FoldState.Root(owner: invite.owner.value, path: invite.root.value)
        let facts = AccessPolicy.InviteFacts(
            rootExists: try await FoldState.exists(root, on: connection, logger: logger),
            collaborators: try await FoldState.collaborators(of: [root], on: connection, logger: logger)[root] ?? [],
            pendingInvitees: try await pendingInvitees(of: root, on: connection, logger: logger),
            idTaken: try await stored(invite.inviteID, on: connection, logger: logger) != nil)
        if let refusal = AccessPolicy.refusal(
            ofSending: invite, facts: facts, subject: envelope.subject, viewer: envelope.actorViewer)
        {
            return audit.reject(entry, refusal)
        }
        try await connection.query(
            """
            INSERT INTO invites (id, owner, root_path, username, invited_by, sent_at, state, event_id)
            VALUES (\(invite.inviteID), \(root.owner), \(root.path), \(invite.username.value),
                    \(envelope.actor.value), \(envelope.time), 'pending', \(envelope.id))
            """, logger: logger)
    }

    /// `invite-accepted` or `invite-rejected`, as the entry's type says.
    static func answer(
        _ invite: Invitation, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let envelope = entry.envelope
        let accepting = envelope.type == .inviteAccepted
        if let refusal = AccessPolicy.refusal(
            ofAnswering: invite, accepting: accepting,
            stored: try await stored(invite.inviteID, on: connection, logger: logger), subject: envelope.subject,
            viewer: envelope.actorViewer)
        {
            return audit.reject(entry, refusal)
        }
        let state: StoredInvite.State = accepting ? .accepted : .rejected
        try await connection.query(
            """
            UPDATE invites SET state = \(state.rawValue), answered_by = \(envelope.actor.value),
                               answered_at = \(envelope.time)
            WHERE id = \(invite.inviteID)
            """, logger: logger)
        guard accepting else { return }
        try await connection.query(
            """
            INSERT INTO collaborators (owner, root_path, username, added_at, event_id)
            VALUES (\(invite.owner.value), \(invite.root.value), \(invite.username.value), \(envelope.time),
                    \(envelope.id))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    private static func stored(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> StoredInvite?
    {
        let rows = try await connection.query(
            "SELECT owner, root_path, username, state FROM invites WHERE id = \(id)", logger: logger)
        for try await (owner, root, username, state) in rows.decode((String, String, String, String).self) {
            guard let owner = try? Username(owner), let root = try? NamespacePath(root),
                let username = try? Username(username), let state = StoredInvite.State(rawValue: state)
            else { return nil }
            return StoredInvite(
                invitation: Invitation(inviteID: id, owner: owner, root: root, username: username), state: state)
        }
        return nil
    }

    private static func pendingInvitees(of root: FoldState.Root, on connection: PostgresConnection, logger: Logger)
        async throws -> Set<Username>
    {
        let rows = try await connection.query(
            """
            SELECT username FROM invites
            WHERE owner = \(root.owner) AND root_path = \(root.path) AND state = 'pending'
            """, logger: logger)
        var found = Set<Username>()
        for try await username in rows.decode(String.self) {
            if let name = try? Username(username) { found.insert(name) }
        }
        return found
    }
}
