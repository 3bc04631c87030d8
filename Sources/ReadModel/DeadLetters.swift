import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// Keeps records the projection cannot apply: key, header names and values
/// and value byte for byte, and a reason that PostgreSQL can always store.
enum DeadLetters {
    /// The longest reason kept, in characters; a reason can quote a header
    /// value of any size.
    static let maximumReasonLength = 1000

    static func record(_ record: LogRecord, reason: String, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        let headers = record.encoded.headers
        try await connection.query(
            """
            INSERT INTO dead_letters (log_partition, log_offset, record_key, header_names, header_values, record_value,
                                      reason)
            VALUES (\(record.position.partition), \(record.position.offset), \(Data(record.encoded.key)),
                    \(headers.map { ByteBuffer(bytes: Array($0.name.utf8)) }),
                    \(headers.map { ByteBuffer(bytes: $0.value) }), \(Data(record.encoded.value)),
                    \(storable(reason)))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        logger.warning(
            "dead-lettered record", metadata: ["position": "\(record.position)", "reason": "\(storable(reason))"])
    }

    /// `reason` as a text column holds it: NUL (which PostgreSQL text
    /// cannot hold) written as `\0`, cut to ``maximumReasonLength``
    /// characters. Swift strings are always valid Unicode, so invalid UTF-8
    /// has already become U+FFFD when the reason was made.
    static func storable(_ reason: String) -> String {
        let cleaned = reason.replacingOccurrences(of: "\u{0}", with: "\\0")
        guard cleaned.count > maximumReasonLength else { return cleaned }
        return cleaned.prefix(maximumReasonLength) + "… (\(cleaned.count - maximumReasonLength) more characters)"
    }
}
