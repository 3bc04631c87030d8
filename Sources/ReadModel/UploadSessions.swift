import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// A resumable upload under way: who opened it, what it becomes, and how
/// many of its bytes are durable.
public struct UploadSession: Sendable, Equatable {
    public var id: UUID
    public var createdBy: Username
    public var createdRole: ActorRole
    public var scope: ImageScope
    /// The digest the bytes must have, when the client said.
    public var sha256: SHA256Digest?
    /// The size the client announced, when it did.
    public var declaredSize: Int64?
    /// Bytes stored durably; the next chunk starts here.
    public var offset: Int64
    /// Whether the QCOW2 header (the first bytes) has passed its check.
    public var headerChecked: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, createdBy: Username, createdRole: ActorRole, scope: ImageScope, sha256: SHA256Digest?,
        declaredSize: Int64?, offset: Int64 = 0, headerChecked: Bool = false, createdAt: Date = Date(),
        updatedAt: Date = Date()
    ) {
        self.id = id
        self.createdBy = createdBy
        self.createdRole = createdRole
        self.scope = scope
        self.sha256 = sha256
        self.declaredSize = declaredSize
        self.offset = offset
        self.headerChecked = headerChecked
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether `viewer` may see and write it: its creator, and administrators.
    public func belongs(to viewer: Viewer) -> Bool {
        viewer.isAdministrator || viewer.username == createdBy
    }
}

/// Where upload sessions are kept, shared by every replica.
public protocol UploadSessionStore: Sendable {
    func create(_ session: UploadSession) async throws

    func session(_ id: UUID) async throws -> UploadSession?

    /// Records that `offset` bytes of session `id` are durable.
    func advance(_ id: UUID, to offset: Int64, headerChecked: Bool) async throws

    func delete(_ id: UUID) async throws

    /// Sessions nobody has written to since `before`, at most `limit`.
    func untouched(since before: Date, limit: Int) async throws -> [UUID]

    /// Runs `work` while holding session `id`'s claim (one writer at a
    /// time, across replicas); `nil` without running it when another holds it.
    func withClaim<Result: Sendable>(on id: UUID, _ work: @Sendable () async throws -> Result) async throws -> Result?
}

/// ``UploadSessionStore`` in PostgreSQL (`registry_uploads.sessions`).
public struct PostgresUploadSessions: UploadSessionStore {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func create(_ session: UploadSession) async throws {
        let (source, owner, namespace, name) = session.scope.fields
        try await client.query("""
            INSERT INTO registry_uploads.sessions
                (id, created_by, created_role, source, owner, namespace_path, name, sha256, declared_size)
            VALUES (\(session.id), \(session.createdBy.value), \(session.createdRole.rawValue), \(source.rawValue),
                    \(owner?.value), \(namespace?.value), \(name), \(session.sha256?.hex), \(session.declaredSize))
            """, logger: logger)
    }

    public func session(_ id: UUID) async throws -> UploadSession? {
        let rows = try await client.query("""
            SELECT created_by, created_role, source, owner, namespace_path, name, sha256, declared_size, upload_offset,
                   header_checked, created_at, updated_at
            FROM registry_uploads.sessions WHERE id = \(id)
            """, logger: logger)
        for try await row in rows.decode(
            (String, String, String, String?, String?, String, String?, Int64?, Int64, Bool, Date, Date).self)
        {
            return try StoredValue.decode {
                let source = try ImageSource(parsing: row.2, field: "sessions.source")
                return UploadSession(
                    id: id, createdBy: try Username(row.0, field: "sessions.created_by"),
                    createdRole: try ActorRole(rawValue: row.1).orThrow(
                        NameError(field: "sessions.created_role", message: "unknown role \(row.1)")),
                    scope: try ImageScope(
                        source: source, owner: try row.3.map { text throws(NameError) in try Username(text) },
                        namespace: try row.4.map { text throws(NameError) in try NamespacePath(text) }, name: row.5),
                    sha256: try row.6.map { text throws(NameError) in try SHA256Digest(hex: text) },
                    declaredSize: row.7, offset: row.8, headerChecked: row.9, createdAt: row.10, updatedAt: row.11)
            }
        }
        return nil
    }

    public func advance(_ id: UUID, to offset: Int64, headerChecked: Bool) async throws {
        try await client.query("""
            UPDATE registry_uploads.sessions
            SET upload_offset = \(offset), header_checked = \(headerChecked), updated_at = now() WHERE id = \(id)
            """, logger: logger)
    }

    public func delete(_ id: UUID) async throws {
        try await client.query("DELETE FROM registry_uploads.sessions WHERE id = \(id)", logger: logger)
    }

    public func untouched(since before: Date, limit: Int) async throws -> [UUID] {
        var ids: [UUID] = []
        let rows = try await client.query("""
            SELECT id FROM registry_uploads.sessions WHERE updated_at < \(before) ORDER BY updated_at LIMIT \(limit)
            """, logger: logger)
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    public func withClaim<Result: Sendable>(on id: UUID, _ work: @Sendable () async throws -> Result) async throws
        -> Result?
    {
        try await AdvisoryClaim.run(on: "upload:\(id.uuidString.lowercased())", client: client, logger: logger, work)
    }
}
