import Foundation
import PostgresNIO
import RegistryDomain

/// ``ImportRepository`` in PostgreSQL (the `imports` table and the
/// workers' `registry_imports.progress`).
extension PostgresRegistryQueries {
    static let importColumns = """
        i.id, i.source, i.owner, i.namespace_path, i.name, i.url, i.sealed_credentials, i.sha256, i.requested_at,
        i.requested_by, i.requested_role, i.status, i.image_id, i.error_code, i.error_message, i.settled_at,
        p.state, p.bytes, p.total_bytes, p.durable_bytes, p.validator, p.attempts, p.last_error, p.updated_at
        """
    static let importTables = "imports i LEFT JOIN registry_imports.progress p ON p.import_id = i.id"

    public func importRecord(_ id: UUID) async throws -> ImportRecord? {
        try await Self.importRecords(run(
            "SELECT \(unescaped: Self.importColumns) FROM \(unescaped: Self.importTables) WHERE i.id = \(id)")).first
    }

    public func imports(of username: Username, before: ImportRecord.Key?, limit: Int) async throws -> [ImportRecord] {
        let (time, id) = (before?.requestedAt ?? .distantFuture, before?.id ?? UUID())
        return try await Self.importRecords(run("""
            SELECT \(unescaped: Self.importColumns) FROM \(unescaped: Self.importTables)
            WHERE (i.requested_by = \(username.value) OR i.owner = \(username.value))
              AND (\(before == nil) OR (i.requested_at, i.id) < (\(time), \(id)))
            ORDER BY i.requested_at DESC, i.id DESC LIMIT \(limit)
            """))
    }

    /// The imports `rows` of ``importColumns`` hold.
    static func importRecords(_ rows: PostgresRowSequence) async throws -> [ImportRecord] {
        var result: [ImportRecord] = []
        for try await row in rows {
            let columns = try row.decode(
                (UUID, String, String?, String?, String, String, String?, String?, Date, String, String?, String,
                 UUID?, String?, String?, Date?).self)
            let progress = try row.makeRandomAccess().progress()
            result.append(try StoredValue.decode {
                let request = try ImportRow.request(
                    id: columns.0, source: columns.1, owner: columns.2, namespacePath: columns.3, name: columns.4,
                    url: columns.5, sealedCredentials: columns.6, sha256: columns.7
                ).orThrow(NameError(field: "imports", message: "row \(columns.0) does not hold a valid request"))
                return ImportRecord(
                    request: request, requestedAt: columns.8, requestedBy: columns.9,
                    requestedRole: columns.10.flatMap(ActorRole.init(rawValue:)),
                    status: try ImportRecord.Status(rawValue: columns.11).orThrow(
                        NameError(field: "imports.status", message: "unknown status \(columns.11)")),
                    imageID: columns.12, errorCode: columns.13, errorMessage: columns.14, settledAt: columns.15,
                    progress: progress)
            })
        }
        return result
    }
}

extension PostgresRandomAccessRow {
    /// The `registry_imports.progress` columns (17 to 24 of
    /// ``PostgresRegistryQueries/importColumns``), `nil` when no worker reported.
    fileprivate func progress() throws -> ImportProgress? {
        let (state, bytes, total, durable, validator, attempts, error, updated) = try (
            self[16].decode(String?.self), self[17].decode(Int64?.self), self[18].decode(Int64?.self),
            self[19].decode(Int64?.self), self[20].decode(String?.self), self[21].decode(Int32?.self),
            self[22].decode(String?.self), self[23].decode(Date?.self))
        guard let state = state.flatMap(ImportProgress.State.init(rawValue:)) else { return nil }
        return ImportProgress(
            state: state, bytes: bytes ?? 0, totalBytes: total, durableBytes: durable ?? 0, validator: validator,
            attempts: Int(attempts ?? 0), lastError: error, updatedAt: updated ?? Date())
    }
}
