import Foundation
import PostgresNIO
import RegistryDomain

/// ``DeadLetterRepository`` in PostgreSQL (the `dead_letters` table).
extension PostgresRegistryQueries {
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
}
