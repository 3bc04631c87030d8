import Foundation
import NIOCore

/// A `multipart/form-data` body read as it arrives (RFC 7578): the text
/// fields one by one, and a file's bytes passed on as they come, never
/// held whole. This is how a browser without JavaScript posts a file.
///
/// Pure: it is fed chunks and answers what they completed; it holds back
/// only as many bytes as could begin the next boundary. Text fields and
/// part headers are limited in size, and anything malformed is refused.
struct MultipartFormReader {
    /// What the chunks fed so far completed.
    enum Event: Equatable {
        case field(name: String, value: String)
        /// A file part starts (`filename` may be empty: no file was chosen).
        case fileStart(name: String, filename: String)
        case fileBytes([UInt8])
        case fileEnd
        /// The closing boundary: nothing follows.
        case end
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static let maximumHeaderBytes = 8 << 10
    /// The most bytes of all text fields together (as ``FormFields`` allows a form).
    static let maximumFieldBytes = 64 << 10
    /// The most parts a form may have (the create form has six).
    static let maximumParts = 32

    private enum State {
        case preamble
        case headers
        case field(name: String)
        case file
        case afterBoundary
        case done
    }

    private let delimiter: [UInt8]
    private var state = State.preamble
    /// Bytes fed and not yet decided; starts with the CRLF that the first
    /// boundary lacks, so every boundary is found as `CRLF--boundary`.
    private var pending: [UInt8] = [13, 10]
    private var value: [UInt8] = []
    private var fieldBytes = 0
    private var parts = 0

    /// Reads the boundary from a `Content-Type: multipart/form-data; boundary=…` header.
    init(contentType: String) throws {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data",
            var boundary = parts.dropFirst().first(where: { $0.lowercased().hasPrefix("boundary=") })?
                .dropFirst("boundary=".count)
        else { throw Malformed(description: "not a multipart/form-data body with a boundary") }
        if boundary.hasPrefix("\""), boundary.hasSuffix("\""), boundary.count >= 2 {
            boundary = boundary.dropFirst().dropLast()
        }
        guard (1...70).contains(boundary.utf8.count) else {
            throw Malformed(description: "a multipart boundary has 1 to 70 characters")
        }
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// Feeds one chunk; answers the events it completed, in order.
    mutating func feed(_ chunk: some Collection<UInt8>) throws -> [Event] {
        pending.append(contentsOf: chunk)
        var events: [Event] = []
        while let event = try step() {
            events.append(event)
        }
        return events
    }

    /// The body ended: anything but a complete form is malformed.
    func finish() throws {
        guard case .done = state else { throw Malformed(description: "the form ended before its closing boundary") }
    }

    /// Decides what it can from `pending`; `nil` when it needs more bytes.
    private mutating func step() throws -> Event? {
        switch state {
        case .done:
            pending.removeAll()
            return nil
        case .preamble:
            guard let at = Self.find(delimiter, in: pending) else {
                // Only a boundary's worth is kept: a preamble is skipped, whatever its size.
                if pending.count > delimiter.count { pending.removeFirst(pending.count - delimiter.count) }
                return nil
            }
            pending.removeFirst(at + delimiter.count)
            state = .afterBoundary
            return try step()
        case .afterBoundary:
            guard pending.count >= 2 else { return nil }
            if pending[0] == UInt8(ascii: "-"), pending[1] == UInt8(ascii: "-") {
                state = .done
                pending.removeAll()
                return .end
            }
            guard pending[0] == 13, pending[1] == 10 else { throw Malformed(description: "a boundary must end its line") }
            pending.removeFirst(2)
            parts += 1
            guard parts <= Self.maximumParts else { throw Malformed(description: "a form has at most \(Self.maximumParts) parts") }
            state = .headers
            return try step()
        case .headers:
            guard let at = Self.find([13, 10, 13, 10], in: pending) else {
                if pending.count > Self.maximumHeaderBytes { throw Malformed(description: "a part's headers are too long") }
                return nil
            }
            let headers = String(decoding: pending[..<at], as: UTF8.self)
            pending.removeFirst(at + 4)
            let (name, filename) = try Self.disposition(headers)
            if let filename {
                state = .file
                return .fileStart(name: name, filename: filename)
            }
            state = .field(name: name)
            value = []
            return try step()
        case .field(let name):
            if let at = Self.find(delimiter, in: pending) {
                value.append(contentsOf: pending[..<at])
                pending.removeFirst(at + delimiter.count)
                try countField()
                fieldBytes += value.count
                state = .afterBoundary
                return .field(name: name, value: String(decoding: value, as: UTF8.self))
            }
            let safe = pending.count - (delimiter.count - 1)
            if safe > 0 {
                value.append(contentsOf: pending[..<safe])
                pending.removeFirst(safe)
            }
            try countField()
            return nil
        case .file:
            if let at = Self.find(delimiter, in: pending) {
                if at > 0 {
                    let bytes = Array(pending[..<at])
                    pending.removeFirst(at)
                    return .fileBytes(bytes)
                }
                pending.removeFirst(delimiter.count)
                state = .afterBoundary
                return .fileEnd
            }
            let safe = pending.count - (delimiter.count - 1)
            guard safe > 0 else { return nil }
            let bytes = Array(pending[..<safe])
            pending.removeFirst(safe)
            return .fileBytes(bytes)
        }
    }

    /// Refuses text fields that together pass the limit.
    private func countField() throws {
        guard fieldBytes + value.count <= Self.maximumFieldBytes else {
            throw Malformed(description: "a form's fields may hold at most \(Self.maximumFieldBytes / 1024) KiB")
        }
    }

    /// The part's `name` and, for a file, its `filename` (from `Content-Disposition: form-data; …`).
    private static func disposition(_ headers: String) throws -> (String, String?) {
        for line in headers.split(separator: "\r\n") {
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-disposition"
            else { continue }
            var name: String?
            var filename: String?
            for parameter in pair[1].split(separator: ";").dropFirst() {
                let field = parameter.split(separator: "=", maxSplits: 1)
                guard field.count == 2 else { continue }
                var text = field[1].trimmingCharacters(in: .whitespaces)
                if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
                switch field[0].trimmingCharacters(in: .whitespaces).lowercased() {
                case "name": name = text
                case "filename": filename = text
                default: break
                }
            }
            guard let name else { break }
            return (name, filename)
        }
        throw Malformed(description: "a part has no Content-Disposition with a name")
    }

    /// Where `needle` first starts in `haystack`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                var start = 0
                let last = hay.count - pin.count
                while start <= last {
                    guard let base = hay.baseAddress,
                        let found = memchr(base + start, Int32(first), last - start + 1)
                    else { return nil }
                    let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + index, pin.baseAddress!, pin.count) == 0 { return index }
                    start = index + 1
                }
                return nil
            }
        }
    }
}
