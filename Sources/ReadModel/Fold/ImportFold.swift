import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// The fold of imports by download (the rules are ``AccessPolicy``'s): an
/// `image-import-requested` that its actor may make queues an import; the
/// import ends once, with the first of an `image-created` naming it (done,
/// or failed when the fold refused that image) or an `image-import-failed`.
enum ImportFold {
    typealias Entry = EventApplier.Entry

    /// Queues the import when its requester may add the image it names.
    static func request(
        _ request: ImageImportRequested, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let envelope = entry.envelope
        var collaborators: Set<Username> = []
        if let owner = request.owner, let namespace = request.namespace {
            let root = FoldState.Root(owner: owner.value, path: namespace.root.value)
            collaborators = try await FoldState.collaborators(of: [root], on: connection, logger: logger)[root] ?? []
        }
        if let refusal = AccessPolicy.refusal(
            ofCreating: envelope.event, subject: envelope.subject, viewer: envelope.actorViewer,
            rootCollaborators: collaborators)
        {
            return audit.reject(entry, refusal)
        }
        if try await stored(request.importID, on: connection, logger: logger) != nil {
            return audit.reject(entry, Refusal("import \(request.importID.uuidString.lowercased()) already exists"))
        }
        try await connection.query(
            """
            INSERT INTO imports (id, source, owner, namespace_path, name, url, sealed_credentials, sha256, requested_at,
                                 requested_by, requested_role, status, event_id)
            VALUES (\(request.importID), \(request.source.rawValue), \(request.owner?.value),
                    \(request.namespace?.value), \(request.name), \(request.url.value), \(request.sealedCredentials),
                    \(request.sha256?.hex), \(envelope.time), \(envelope.actor.value), \(envelope.actorRole?.rawValue),
                    'queued', \(envelope.id))
            """, logger: logger)
    }

    /// Ends a queued import as failed.
    static func fail(
        _ failure: ImageImportFailed, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let stored = try await stored(failure.importID, on: connection, logger: logger)
        if let refusal = AccessPolicy.refusal(
            ofFailing: failure, stored: stored?.request, settled: stored?.settled ?? false,
            subject: entry.envelope.subject)
        {
            return audit.reject(entry, refusal)
        }
        try await settle(
            failure.importID, status: "failed", imageID: nil, code: failure.code, message: failure.message,
            at: entry.envelope.time, on: connection, logger: logger)
    }

    /// Ends the queued import an applied `image-created` names, when it
    /// names the image that import asked for: done with the image (or the
    /// version the bytes already were), or failed when the fold refused it.
    static func complete(
        _ created: ImageCreated, entry: Entry, audit: AuditLog, on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard let importID = created.importID,
            let stored = try await stored(importID, on: connection, logger: logger), !stored.settled,
            stored.request.source == created.source, stored.request.owner == created.owner,
            stored.request.namespace == created.namespace, stored.request.name == created.name
        else { return }
        if let refusal = audit.refusal(of: entry.envelope.id) {
            return try await settle(
                importID, status: "failed", imageID: nil, code: ImportFailureCode.refused.rawValue,
                message: refusal.reason, at: entry.envelope.time, on: connection, logger: logger)
        }
        try await settle(
            importID, status: "done", imageID: audit.standIn(for: entry.envelope.id) ?? created.imageID, code: nil,
            message: nil, at: entry.envelope.time, on: connection, logger: logger)
    }

    private static func settle(
        _ id: UUID, status: String, imageID: UUID?, code: String?, message: String?, at time: Date,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            UPDATE imports SET status = \(status), image_id = \(imageID), error_code = \(code),
                               error_message = \(message), settled_at = \(time)
            WHERE id = \(id) AND status = 'queued'
            """, logger: logger)
    }

    /// The request of import `id` as the fold stored it, and whether it ended.
    private static func stored(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> (request: ImageImportRequested, settled: Bool)?
    {
        let rows = try await connection.query(
            """
            SELECT source, owner, namespace_path, name, url, sealed_credentials, sha256, status <> 'queued'
            FROM imports WHERE id = \(id)
            """, logger: logger)
        for try await (source, owner, path, name, url, credentials, sha256, settled)
            in rows.decode((String, String?, String?, String, String, String?, String?, Bool).self)
        {
            guard let request = ImportRow.request(
                id: id, source: source, owner: owner, namespacePath: path, name: name, url: url,
                sealedCredentials: credentials, sha256: sha256)
            else { return nil }
            return (request, settled)
        }
        return nil
    }
}

/// Rebuilds an import request from its `imports` row.
enum ImportRow {
    static func request(
        id: UUID, source: String, owner: String?, namespacePath: String?, name: String, url: String,
        sealedCredentials: String?, sha256: String?
    ) -> ImageImportRequested? {
        guard let source = ImageSource(rawValue: source),
            let scope = try? ImageScope(
                source: source, owner: owner.flatMap { try? Username($0) },
                namespace: namespacePath.flatMap { try? NamespacePath($0) }, name: name),
            let url = try? DownloadURL(validating: url)
        else { return nil }
        return ImageImportRequested(
            importID: id, scope: scope, url: url, sealedCredentials: sealedCredentials,
            sha256: sha256.flatMap { try? SHA256Digest(hex: $0) })
    }
}
