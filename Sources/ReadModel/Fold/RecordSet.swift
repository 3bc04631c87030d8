import Foundation
import PostgresNIO
import RegistryDomain

/// Rows for one multi-row statement, sent as a JSON array that the statement
/// reads with `jsonb_to_recordset`: one bind, any number of rows.
///
/// Keys are the rows' property names in snake case (`eventID` becomes
/// `event_id`, the column's name); a `nil` property is left out, which
/// `jsonb_to_recordset` reads as SQL `NULL`; dates are RFC 3339 with whole
/// milliseconds, exactly as the event carries them.
enum RecordSet {
    static func json<Row: Encodable>(_ rows: [Row]) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(CloudEventsCodec.formatTime(date))
        }
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }
}
