/// Markup written by code, for the one place where templates are too slow:
/// the rows of long tables (a Mustache template looks every value up by
/// name through dynamic casts, which cost more per row than the row's query).
/// Text is escaped byte by byte as Mustache escapes it (`& < > " '`), so
/// what users wrote is shown, never run.
struct HTMLWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Markup the code itself wrote (never text from a request or a record).
    mutating func markup(_ markup: StaticString) {
        markup.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Text, escaped for HTML content and attribute values.
    mutating func text(_ value: String) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "&"): bytes.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): bytes.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): bytes.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): bytes.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): bytes.append(contentsOf: "&#39;".utf8)
            default: bytes.append(byte)
            }
        }
    }

    var html: String { String(decoding: bytes, as: UTF8.self) }
}
