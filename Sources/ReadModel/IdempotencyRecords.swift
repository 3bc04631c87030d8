import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// The first use of an `Idempotency-Key`, as the ingest service recorded it.
public struct IdempotencyClaim: Sendable, Equatable {
    /// The fingerprint of the request that first used the key.
    public var fingerprint: RequestFingerprint
    /// True when this call recorded the key: the request is the first with it.
    public var isFirstUse: Bool
}

/// Where the ingest service remembers which request first used each
/// `Idempotency-Key`, shared by every replica.
public protocol IdempotencyRecords: Sendable {
    /// Records `fingerprint` as the first use of `key` unless a first use
    /// is recorded already; returns the first use either way.
    func claim(_ key: IdempotencyKey, fingerprint: RequestFingerprint) async throws -> IdempotencyClaim
}

/// ``IdempotencyRecords`` in PostgreSQL (`registry_ingest.idempotency_keys`).
public struct PostgresIdempotencyRecords: IdempotencyRecords {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func claim(_ key: IdempotencyKey, fingerprint: RequestFingerprint) async throws -> IdempotencyClaim {
        let inserted = try await client.query(
            """
            INSERT INTO registry_ingest.idempotency_keys (caller, scope, key, fingerprint, event_id)
            VALUES (\(key.caller.value), \(key.scope), \(key.key), \(fingerprint.hex), \(key.eventID))
            ON CONFLICT DO NOTHING RETURNING fingerprint
            """, logger: logger)
        for try await _ in inserted.decode(String.self) {
            return IdempotencyClaim(fingerprint: fingerprint, isFirstUse: true)
        }
        // Another request holds the key; once its insert committed, this reads it.
        let stored = try await client.query(
            """
            SELECT fingerprint FROM registry_ingest.idempotency_keys
            WHERE caller = \(key.caller.value) AND scope = \(key.scope) AND key = \(key.key)
            """, logger: logger)
        for try await first in stored.decode(String.self) {
            return IdempotencyClaim(fingerprint: RequestFingerprint(hex: first), isFirstUse: false)
        }
        throw IdempotencyRecordMissing()
    }
}

/// The key's row vanished between its conflict and its read (only a manual
/// delete can do that); the client may retry.
struct IdempotencyRecordMissing: Error, CustomStringConvertible {
    var description: String { "the idempotency key's record could not be read; retry the request" }
}

/// ``IdempotencyRecords`` in memory, for tests of routes without a database.
public final class InMemoryIdempotencyRecords: IdempotencyRecords, @unchecked Sendable {
    private let lock = NSLock()
    private var firstUses: [IdempotencyKey: RequestFingerprint] = [:]

    public init() {}

    public func claim(_ key: IdempotencyKey, fingerprint: RequestFingerprint) async throws -> IdempotencyClaim {
        lock.withLock {
            if let first = firstUses[key] { return IdempotencyClaim(fingerprint: first, isFirstUse: false) }
            firstUses[key] = fingerprint
            return IdempotencyClaim(fingerprint: fingerprint, isFirstUse: true)
        }
    }
}
