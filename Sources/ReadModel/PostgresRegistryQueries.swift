import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// ``RegistryQueries`` answered from PostgreSQL.
public struct PostgresRegistryQueries: RegistryQueries {
    private let client: PostgresClient
    private let logger: Logger
    private let timeout: Duration

    public init(client: PostgresClient, logger: Logger, timeout: Duration = .seconds(5)) {
        self.client = client
        self.logger = logger
        self.timeout = timeout
    }

    static let imageColumns = """
        id, source, owner, namespace_path, name, version, driver, location, sha256, size, created_at, created_by, deleted_at,
        verified
        """

    /// ``imageColumns`` of the row source `table`.
    static func imageColumns(of table: String) -> String {
        imageColumns.split(separator: ", ").map { "\(table).\($0)" }.joined(separator: ", ")
    }

    public func resolve(_ request: ResolutionRequest) async throws -> Resolution? {
        let plan = try ResolutionPlan(for: request)
        let query = ResolutionQuery(steps: plan.steps, digest: plan.digest?.hex, user: request.user)
        guard let image = try await firstImage(query) else { return nil }
        return Resolution(
            imageID: image.id, name: image.name, namespace: image.namespaceReference, source: image.source,
            version: image.version, sha256: try SHA256Digest(hex: image.sha256), size: image.size,
            location: try ImageLocation(image.location), verified: image.verified)
    }

    private func firstImage(_ query: ResolutionQuery) async throws -> ImageRecord? {
        let (client, logger) = (self.client, self.logger)
        return try await withTimeout {
            for try await columns in try await client.execute(ResolutionStatement(query: query), logger: logger) {
                return ImageRecord(columns)
            }
            return nil
        }
    }

    public func image(id: UUID) async throws -> ImageRecord? {
        try await images("SELECT \(unescaped: Self.imageColumns) FROM images WHERE id = \(id)").first
    }

    private func images(_ query: PostgresQuery) async throws -> [ImageRecord] {
        var result: [ImageRecord] = []
        let rows = try await run(query)
        for try await columns in rows.decode(ImageRecord.Columns.self) {
            result.append(ImageRecord(columns))
        }
        return result
    }

    public func namespace(owner: String, path: String) async throws -> NamespaceRecord? {
        try await namespaceRecords(
            "SELECT \(unescaped: Self.namespaceColumns) FROM namespaces WHERE owner = \(owner) AND path = \(path)"
        ).first
    }

    static let namespaceColumns = "owner, path, visibility, created_at, created_by"

    private func namespaceRecords(_ query: PostgresQuery) async throws -> [NamespaceRecord] {
        var result: [NamespaceRecord] = []
        for try await row in try await run(query).decode((String, String, String, Date, String).self) {
            result.append(NamespaceRecord(
                owner: row.0, path: row.1, visibility: Visibility(rawValue: row.2) ?? .private,
                createdAt: row.3, createdBy: row.4))
        }
        return result
    }

    public func namespaceAccess(owner: String, path: String) async throws -> NamespaceAccess? {
        guard let namespace = try await namespace(owner: owner, path: path),
            let ownerName = try? Username(namespace.owner)
        else { return nil }
        let root = String(path.split(separator: "/").first ?? "")
        var collaborators: Set<Username> = []
        let rows = try await run(
            "SELECT username FROM collaborators WHERE owner = \(owner) AND root_path = \(root)")
        for try await username in rows.decode(String.self) {
            if let name = try? Username(username) { collaborators.insert(name) }
        }
        return NamespaceAccess(owner: ownerName, visibility: namespace.visibility, collaborators: collaborators)
    }

    public func images(_ filter: ImageListFilter, viewer: Viewer) async throws -> [ImageRecord] {
        let search = filter.search.map(Self.likePattern)
        return try await images("""
            SELECT \(unescaped: Self.imageColumns) FROM images i
            WHERE deleted_at IS NULL
              AND (\(filter.namespaceOwner)::text IS NULL OR owner = \(filter.namespaceOwner))
              AND (\(filter.namespacePath)::text IS NULL OR namespace_path = \(filter.namespacePath))
              AND (\(search)::text IS NULL OR name ILIKE \(search) ESCAPE '\\')
              AND (\(filter.after)::uuid IS NULL OR id > \(filter.after))
              AND \(imageVisibleTo: viewer, image: "i")
            ORDER BY id
            LIMIT \(filter.limit)
            """)
    }

    public func mayRead(digest: SHA256Digest, viewer: Viewer) async throws -> Bool {
        let rows = try await run("""
            SELECT EXISTS (
                SELECT 1 FROM images i
                WHERE sha256 = \(digest.hex)
                  AND (created_by = \(viewer.username?.value)
                       OR (deleted_at IS NULL AND \(imageVisibleTo: viewer, image: "i"))))
            """)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    public func referencedDigests(_ digests: [SHA256Digest]) async throws -> Set<SHA256Digest> {
        guard !digests.isEmpty else { return [] }
        var named = Set<SHA256Digest>()
        let rows = try await run(
            "SELECT DISTINCT sha256 FROM images WHERE sha256 = ANY(\(digests.map(\.hex)))")
        for try await hex in rows.decode(String.self) {
            if let digest = try? SHA256Digest(hex: hex) { named.insert(digest) }
        }
        return named
    }

    public func namespaces(_ filter: NamespaceListFilter, viewer: Viewer) async throws -> [NamespaceRecord] {
        let viewerName = viewer.username?.value
        return try await namespaceRecords("""
            SELECT \(unescaped: Self.namespaceColumns) FROM namespaces n
            WHERE (\(filter.owner)::text IS NULL OR owner = \(filter.owner))
              AND (\(filter.after?.owner)::text IS NULL OR (owner, path) > (\(filter.after?.owner), \(filter.after?.path)))
              AND (\(viewer.isAdministrator) OR visibility = 'public' OR owner = \(viewerName)
                   OR (visibility = 'internal' AND \(viewerName)::text IS NOT NULL)
                   OR EXISTS (SELECT 1 FROM collaborators c WHERE c.owner = n.owner
                                AND c.root_path = split_part(n.path, '/', 1) AND c.username = \(viewerName)))
            ORDER BY owner, path
            LIMIT \(filter.limit)
            """)
    }

    /// `%text%` with the LIKE wildcards in `text` escaped, so a search is literal.
    static func likePattern(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%\(escaped)%"
    }

    static let auditColumns = "sequence, event_id, log_partition, log_offset, type, occurred_at, actor, request_id, data::text, rejected, image_id"

    public func appliedEvents(ids: [UUID]) async throws -> [UUID: AuditEntry] {
        guard !ids.isEmpty else { return [:] }
        let entries = try await auditEntries(
            "SELECT \(unescaped: Self.auditColumns) FROM audit_events WHERE event_id = ANY(\(ids))")
        return Dictionary(entries.map { ($0.eventID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func audit(_ filter: AuditFilter) async throws -> [AuditEntry] {
        try await auditEntries("""
            SELECT \(unescaped: Self.auditColumns)
            FROM audit_events
            WHERE (\(filter.type?.rawValue)::text IS NULL OR type = \(filter.type?.rawValue))
              AND (\(filter.namespace)::text IS NULL OR namespace = \(filter.namespace))
              AND (\(filter.imageID)::uuid IS NULL OR image_id = \(filter.imageID))
              AND (\(filter.buildID)::text IS NULL OR build_id = \(filter.buildID))
              AND (\(filter.user)::text IS NULL OR username = \(filter.user))
              AND (\(filter.since)::timestamptz IS NULL OR occurred_at >= \(filter.since))
              AND (\(filter.until)::timestamptz IS NULL OR occurred_at < \(filter.until))
              AND (\(filter.visibleTo)::text IS NULL OR username = \(filter.visibleTo) OR actor = \(filter.visibleTo)
                   OR subject = \(filter.visibleTo))
              AND (\(filter.after)::bigint IS NULL OR sequence > \(filter.after))
            ORDER BY sequence
            LIMIT \(filter.limit)
            """)
    }

    private func auditEntries(_ query: PostgresQuery) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        let rows = try await run(query)
        for try await row in rows.decode((Int64, UUID, Int32, Int64, String, Date, String, String?, String, String?, UUID?).self) {
            entries.append(AuditEntry(
                sequence: row.0, eventID: row.1, position: LogPosition(partition: row.2, offset: row.3), type: row.4,
                occurredAt: row.5, actor: row.6, requestID: row.7, data: row.8, rejected: row.9,
                imageID: row.10))
        }
        return entries
    }

    public func deadLetters(after: LogPosition?, limit: Int) async throws -> [DeadLetter] {
        let rows = try await run("""
            SELECT log_partition, log_offset, record_key, header_names, header_values, record_value, reason, recorded_at
            FROM dead_letters
            WHERE \(after?.partition)::integer IS NULL
               OR (log_partition, log_offset) > (\(after?.partition), \(after?.offset))
            ORDER BY log_partition, log_offset
            LIMIT \(limit)
            """)
        var letters: [DeadLetter] = []
        for try await row in rows.decode((Int32, Int64, Data, [ByteBuffer], [ByteBuffer], Data, String, Date).self) {
            let headers = zip(row.3, row.4).map { DeadLetter.Header(name: Array(buffer: $0), value: Array(buffer: $1)) }
            letters.append(DeadLetter(
                position: LogPosition(partition: row.0, offset: row.1), key: Array(row.2), headers: headers,
                value: Array(row.5), reason: row.6, recordedAt: row.7))
        }
        return letters
    }

    public func projectedOffset(partition: Int32) async throws -> Int64 {
        let rows = try await run(
            "SELECT next_offset FROM projection_positions WHERE log_partition = \(partition)")
        for try await offset in rows.decode(Int64.self) {
            return offset
        }
        return 0
    }

    public func ping() async throws {
        _ = try await run("SELECT 1")
    }

    private func run(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        let (client, logger) = (self.client, self.logger)
        return try await withTimeout { try await client.query(query, logger: logger) }
    }

    /// Runs `operation`, giving up after ``timeout``: without a database the
    /// pool would wait for a connection forever, and callers should get a
    /// prompt 503 instead.
    private func withTimeout<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result)
        async throws -> Result
    {
        let timeout = self.timeout
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let result = try await group.next() ?? nil else { throw ReadModelUnavailable(timeout: timeout) }
            return result
        }
    }
}

/// The read model did not answer in time: the database is down or overloaded.
public struct ReadModelUnavailable: Error, CustomStringConvertible {
    public let timeout: Duration

    public var description: String { "the read model did not answer within \(timeout)" }
}
