import HTTPTypes
import HummingbirdTesting

/// Something a test needs but does not test: a collaborator.
public struct CollaborationFailed: Error, CustomStringConvertible {
    public let description: String
}

extension TestClientProtocol {
    /// Makes `invitee` a collaborator of the tree of `namespace` (`owner/path`,
    /// as in routes) the way users do, through an ingest service: the owner
    /// invites, the invitee accepts, each answered once projected. Returns
    /// the accepted invite. `headers` go with the invite (a
    /// `Registry-Position` to wait for, say).
    @discardableResult
    public func collaborate(
        _ invitee: String, on namespace: String, ownerToken: String, inviteeToken: String, headers: HTTPFields = [:]
    ) async throws -> JSONAnswer {
        let invite = try await call(
            .post, "/v1/namespaces/\(namespace)/invites?wait=true", token: ownerToken,
            json: #"{"username": "\#(invitee)"}"#, headers: headers)
        guard invite.status == .created || invite.status == .ok, let id = invite.string("id") else {
            throw CollaborationFailed(description: "inviting \(invitee) to \(namespace): \(invite.status) \(invite.body)")
        }
        let accepted = try await call(.post, "/v1/invites/\(id)/accept?wait=true", token: inviteeToken)
        guard accepted.status == .ok else {
            throw CollaborationFailed(description: "\(invitee) accepting \(id): \(accepted.status) \(accepted.body)")
        }
        return accepted
    }
}
