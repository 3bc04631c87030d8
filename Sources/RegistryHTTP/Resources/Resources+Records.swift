import Foundation
import HTTPTypes
import ReadModel
import RegistryAPI
import RegistryDomain

extension ImageResource {
    /// An image version as the read model holds it, as the API shows it.
    public init(_ record: ImageRecord) {
        self.init(
            id: record.id, name: record.name, namespace: record.namespace?.description, owner: record.owner?.value,
            source: record.source, driver: record.driver.rawValue, version: record.version, sha256: record.sha256.hex,
            size: record.size, location: record.location.value, createdAt: record.createdAt,
            createdBy: record.createdBy, deletedAt: record.deletedAt, verified: record.verified, deprecation: record.deprecation,
            revocation: record.revocation)
    }
}

extension NamespaceResource {
    /// A namespace as the read model holds it, with the root's collaborators
    /// when the caller may see them.
    public init(_ record: NamespaceRecord, collaborators: [String]? = nil) {
        self.init(
            path: record.reference.path.value, owner: record.reference.owner.value,
            reference: record.reference.description, visibility: record.visibility, description: record.description,
            revokedFallback: record.revokedFallback, retention: record.retention, createdAt: record.createdAt,
            collaborators: collaborators)
    }

    /// Loads a namespace, with its collaborators when `showingCollaborators`.
    public static func load(
        _ namespace: NamespaceReference, from queries: any NamespaceRepository, showingCollaborators: Bool
    ) async throws -> NamespaceResource? {
        guard let record = try await queries.namespace(namespace) else { return nil }
        guard showingCollaborators, let access = try await queries.namespaceAccess(namespace) else {
            return NamespaceResource(record)
        }
        return NamespaceResource(record, collaborators: access.collaborators.map(\.value).sorted())
    }
}

extension AuditEntryResource {
    /// An audit entry, with its event's data as stored (JSON text) made a JSON value again.
    public init(_ entry: AuditEntry) throws {
        self.init(
            id: entry.eventID, type: entry.type, time: entry.occurredAt, actor: entry.actor, position: entry.position,
            requestID: entry.requestID, data: try RegistryJSON.decoder().decode(JSONValue.self, from: Data(entry.data.utf8)),
            rejected: entry.rejected)
    }
}

extension DeadLetterResource {
    public init(_ letter: DeadLetter) {
        self.init(
            position: letter.position, key: Self.base64(letter.key),
            headers: letter.headers.map { Header(name: Self.base64($0.name), value: Self.base64($0.value)) },
            value: Self.base64(letter.value), reason: letter.reason, recordedAt: letter.recordedAt)
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}

extension InviteResource {
    /// An invite as the read model holds it, as the API shows it.
    public init(_ record: InviteRecord) {
        let invitation = record.invitation
        self.init(
            id: invitation.inviteID, namespace: "\(invitation.root.value)@\(invitation.owner.value)",
            owner: invitation.owner.value, path: invitation.root.value, username: invitation.username.value,
            invitedBy: record.invitedBy, createdAt: record.sentAt, state: record.state.rawValue,
            answeredBy: record.answeredBy, answeredAt: record.answeredAt)
    }
}

extension WebhookResource {
    /// A webhook as the read model holds it, without its secret.
    public init(_ record: WebhookRecord) {
        let created = record.created
        self.init(
            id: created.webhookID, namespace: "\(created.path.value)@\(created.owner.value)", url: created.url.value,
            events: created.topics.map(\.rawValue), active: created.active, hasSecret: created.sealedSecret != nil,
            createdAt: record.createdAt, createdBy: record.createdBy, deletedAt: record.deletedAt)
    }
}

extension WebhookDeliveryResource {
    /// A delivery as the dispatcher recorded it, without its body.
    public init(_ record: WebhookDeliveryRecord) {
        self.init(
            id: record.id, webhookID: record.webhookID, eventID: record.eventID, eventType: record.eventType,
            event: record.topic.rawValue, action: record.action, attempts: record.attempts,
            state: record.state.rawValue, statusCode: record.statusCode,
            durationMilliseconds: record.durationMilliseconds, error: record.error, firstSentAt: record.firstSentAt,
            lastSentAt: record.lastSentAt)
    }
}

extension ImportResource {
    /// An import as the read model holds it, with `image` once it is done.
    public init(_ record: ImportRecord, image: ImageRecord?) {
        let request = record.request
        let status = switch record.status {
        case .done: "done"
        case .failed: "failed"
        case .queued: switch record.progress?.state {
            case .downloading: "downloading"
            case .verifying, .published: "verifying"
            case nil: "queued"
            }
        }
        self.init(
            id: request.importID, status: status, name: request.name,
            namespace: request.namespace.flatMap { path in request.owner.map { "\(path.value)@\($0.value)" } },
            owner: request.owner?.value, source: request.source.rawValue, downloadURL: request.url.value,
            hasCredentials: request.sealedCredentials != nil, sha256: request.sha256?.hex,
            bytes: record.progress?.bytes ?? 0, totalBytes: record.progress?.totalBytes,
            attempts: record.progress?.attempts ?? 0,
            lastError: record.status == .queued ? record.progress?.lastError : nil,
            error: record.status == .failed
                ? Failure(code: record.errorCode ?? "failed", message: record.errorMessage ?? "the import failed") : nil,
            image: image.map(ImageResource.init), requestedBy: record.requestedBy, requestedAt: record.requestedAt,
            finishedAt: record.settledAt)
    }
}

extension UploadSessionResource {
    /// A session as the registry keeps it; it expires `lifetime` after its last chunk.
    public init(_ session: UploadSession, lifetime: Duration) {
        let (source, owner, namespace, name) = session.scope.fields
        self.init(
            id: session.id, name: name,
            namespace: namespace.flatMap { path in owner.map { "\(path.value)@\($0.value)" } }, owner: owner?.value,
            source: source.rawValue, offset: session.offset, size: session.declaredSize, sha256: session.sha256?.hex,
            location: "/v1/uploads/\(session.id.uuidString.lowercased())", createdAt: session.createdAt,
            expiresAt: session.updatedAt.addingTimeInterval(Double(lifetime / .milliseconds(1)) / 1000))
    }

    /// The headers that say how far the session got: `Upload-Offset`, and
    /// `Range: 0-<last byte>` as the OCI distribution protocol has it.
    public var progressHeaders: HTTPFields {
        var fields: HTTPFields = [.location: location, HTTPField.Name("Upload-Offset")!: String(offset)]
        if offset > 0 { fields[.range] = "0-\(offset - 1)" }
        return fields
    }
}
