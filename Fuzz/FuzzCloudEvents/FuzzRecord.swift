import RegistryDomain

/// How a fuzz input stands for a Kafka record, so that any bytes make one:
/// a key, then headers (names and values may be any bytes, NUL and invalid
/// UTF-8 included), then the value.
///
/// Layout, lengths big-endian and cut short at the end of the input:
/// key length (2 bytes), key; header count (1 byte); for each header name
/// length (1 byte), name, value length (2 bytes), value; the rest is the value.
enum FuzzRecord {
    /// The record these bytes stand for; every input gives one.
    static func record(from input: [UInt8]) -> EncodedEvent {
        var reader = Reader(bytes: input[...])
        let key = reader.take(reader.length(bytes: 2))
        let headerCount = reader.length(bytes: 1)
        var headers: [EncodedEvent.Header] = []
        for _ in 0..<headerCount {
            let name = reader.take(reader.length(bytes: 1))
            let value = reader.take(reader.length(bytes: 2))
            headers.append(.init(name: String(decoding: name, as: UTF8.self), value: value))
        }
        return EncodedEvent(key: key, headers: headers, value: reader.rest())
    }

    /// The input that stands for a record (for the seed corpus); the inverse
    /// of ``record(from:)`` for records within the length limits.
    static func bytes(of record: EncodedEvent) -> [UInt8] {
        var out = bigEndian(record.key.count, bytes: 2) + record.key
        out += bigEndian(record.headers.count, bytes: 1)
        for header in record.headers {
            let name = Array(header.name.utf8)
            out += bigEndian(name.count, bytes: 1) + name
            out += bigEndian(header.value.count, bytes: 2) + header.value
        }
        return out + record.value
    }

    private static func bigEndian(_ value: Int, bytes: Int) -> [UInt8] {
        (0..<bytes).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    /// Reads the input front to back; reading past the end gives what is left.
    private struct Reader {
        var bytes: ArraySlice<UInt8>

        mutating func length(bytes count: Int) -> Int {
            take(count).reduce(0) { $0 << 8 | Int($1) }
        }

        mutating func take(_ count: Int) -> [UInt8] {
            let taken = bytes.prefix(count)
            bytes = bytes.dropFirst(count)
            return Array(taken)
        }

        mutating func rest() -> [UInt8] {
            take(bytes.count)
        }
    }
}
