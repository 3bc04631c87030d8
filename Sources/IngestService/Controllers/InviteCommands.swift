import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// Invites, as in Djinn CI: the owner of a namespace invites a user to its
/// root's tree (`POST /v1/namespaces/{owner}/{path}/invites`, routed by
/// ``NamespaceCommandController``, records `invite-sent`); only the invitee
/// accepts (`POST /v1/invites/{id}/accept`, `invite-accepted`), and becomes
/// a collaborator then; the invitee declines or the owner withdraws
/// (`POST /v1/invites/{id}/reject`, `invite-rejected`).
struct InviteCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any NamespaceRepository & InviteRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("invites/:id/accept") { request, context in
            try await recorder.handle(AcceptInvite(queries: queries), request: request, context: context)
        }
        group.post("invites/:id/reject") { request, context in
            try await recorder.handle(RejectInvite(queries: queries), request: request, context: context)
        }
    }

    /// Invites a user to the tree of the namespace's root. Inviting someone
    /// with a pending invite answers that invite (200); inviting a
    /// collaborator, or oneself, is refused.
    struct SendInvite: IngestCommand {
        struct Parsed: Sendable {
            let root: NamespaceReference
            let username: Username
            let body: [UInt8]
        }

        let queries: any NamespaceRepository & InviteRepository

        static let route = "POST /v1/namespaces/{owner}/{path}/invites"
        static let access = CommandAccess.scope(.namespaceWrite, hiding: "namespace")

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
            let route = try NamespaceRoute(context: context, suffix: ["invites"])
            let (command, body) = try await JSONBody.decodeKeepingBytes(UsernameRequest.self, from: request)
            let root = NamespaceReference(path: route.namespace.path.root, owner: route.namespace.owner)
            return Parsed(root: root, username: try command.validated(), body: body)
        }

        func authorize(_ input: Parsed, caller: Caller) async throws -> Parsed {
            try await queries.requireManaging(input.root, caller: caller)
            guard input.username != input.root.owner else {
                throw APIError.badRequest("\(input.root.owner.value) owns \(input.root) and needs no invite", code: "invalid_field")
            }
            if try await queries.namespaceAccess(input.root)?.collaborators.contains(input.username) == true {
                throw APIError.conflict(
                    "\(input.username.value) already collaborates on \(input.root)", code: "already_collaborator")
            }
            return input
        }

        func prepare(_ input: Parsed, request: Request, caller: Caller) async throws -> (Parsed, fingerprint: [[UInt8]]) {
            (input, [input.body])
        }

        func unchanged(_ input: Parsed) async throws -> InviteResource? {
            try await queries.pendingInvites(of: input.root).first { $0.invitation.username == input.username }
                .map(InviteResource.init)
        }

        func event(for input: Parsed, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String) {
            (.inviteSent(invitation(input, key: key)), input.root.owner.value)
        }

        func outcome(of input: Parsed, recorded: RecordedEvent) async throws -> (InviteResource, HTTPResponse.Status)? {
            guard case .inviteSent(let invite) = recorded.event else { return nil }
            return try await queries.invite(invite.inviteID).map { (InviteResource($0), .created) }
        }

        private func invitation(_ input: Parsed, key: IdempotencyKey?) -> Invitation {
            Invitation(
                inviteID: key?.id(of: "invite") ?? EventID.make(), owner: input.root.owner, root: input.root.path,
                username: input.username)
        }
    }

    /// `POST /v1/invites/{id}/accept`: only the invitee accepts.
    struct AcceptInvite: InviteAnswer {
        let queries: any NamespaceRepository & InviteRepository

        static let route = "POST /v1/invites/{id}/accept"
        static let accepting = true
    }

    /// `POST /v1/invites/{id}/reject`: the invitee declines, or the
    /// namespace's owner withdraws.
    struct RejectInvite: InviteAnswer {
        let queries: any NamespaceRepository & InviteRepository

        static let route = "POST /v1/invites/{id}/reject"
        static let accepting = false
    }
}

/// Accepting and rejecting an invite: to anyone who may not answer it the
/// invite does not exist; an invite already answered is 409; `200` with the
/// answered invite once projected. Each has its own route, so one
/// `Idempotency-Key` names a different command on each.
protocol InviteAnswer: IngestCommand
where Parsed == String, Allowed == InviteRecord, Prepared == InviteRecord, Resource == InviteResource {
    var queries: any NamespaceRepository & InviteRepository { get }
    /// Accepting (`invite-accepted`) or rejecting (`invite-rejected`).
    static var accepting: Bool { get }
}

extension InviteAnswer {
    static var access: CommandAccess { .scope(.namespaceWrite, hiding: "invite") }

    func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> String {
        try context.parameters.require("id")
    }

    func authorize(_ idText: String, caller: Caller) async throws -> InviteRecord {
        let viewer = caller.viewer
        guard let id = UUID(uuidString: idText), let invite = try await queries.invite(id),
            viewer.username == invite.invitation.username
                || (!Self.accepting && (viewer.isAdministrator || viewer.username == invite.invitation.owner))
        else {
            throw APIError.notFound("invite \(idText) not found")
        }
        guard invite.state == .pending else {
            throw APIError.conflict(
                "invite \(idText.lowercased()) is already \(invite.state.rawValue)", code: "invite_answered")
        }
        return invite
    }

    func prepare(_ invite: InviteRecord, request: Request, caller: Caller) async throws
        -> (InviteRecord, fingerprint: [[UInt8]])
    {
        (invite, [])
    }

    func event(for invite: InviteRecord, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String) {
        let invitation = invite.invitation
        return (Self.accepting ? .inviteAccepted(invitation) : .inviteRejected(invitation), invitation.owner.value)
    }

    func outcome(of invite: InviteRecord, recorded: RecordedEvent) async throws -> (InviteResource, HTTPResponse.Status)? {
        try await queries.invite(invite.invitation.inviteID).map { (InviteResource($0), .ok) }
    }
}
