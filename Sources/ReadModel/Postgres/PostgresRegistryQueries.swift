import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// ``RegistryQueries`` answered from PostgreSQL: this file holds the
/// connection and the positions; each repository's statements are in the
/// file named after it.
public struct PostgresRegistryQueries: RegistryQueries {
    let client: PostgresClient
    let logger: Logger
    private let timeout: Duration

    public init(client: PostgresClient, logger: Logger, timeout: Duration = .seconds(5)) {
        self.client = client
        self.logger = logger
        self.timeout = timeout
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

    func run(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        let (client, logger) = (self.client, self.logger)
        return try await withTimeout { try await client.query(query, logger: logger) }
    }

    /// Runs `operation`, giving up after ``timeout``: without a database the
    /// pool would wait for a connection forever, and callers should get a
    /// prompt 503 instead.
    func withTimeout<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result)
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

    /// Whether `error`, thrown by a repository, means the read model could
    /// not answer (a timeout, or PostgreSQL failing or unreachable), so the
    /// request may be retried later. The HTTP layer answers it 503 without
    /// knowing which database is behind the repositories.
    public static func covers(_ error: any Error) -> Bool {
        error is ReadModelUnavailable || error is PSQLError
    }
}
