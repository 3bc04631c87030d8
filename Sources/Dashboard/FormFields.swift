import Foundation
import Hummingbird
import NIOCore

/// The fields of a posted form (`application/x-www-form-urlencoded`),
/// read whole up to a small limit: no form of the dashboard is larger.
struct FormFields: Sendable {
    static let maximumBytes = 64 << 10
    private let fields: [String: String]

    init(_ fields: [String: String]) { self.fields = fields }

    /// Reads the request's form; a body past the limit is refused (413).
    static func read(_ request: Request) async throws -> FormFields {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumBytes)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "a form may be at most \(maximumBytes / 1024) KiB")
        }
        return FormFields(parsing: String(buffer: body))
    }

    /// Parses `name=value&…`; `+` is a space; the first of repeated names counts.
    init(parsing text: String) {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String? {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
            guard let name = parts.first.flatMap(decode), fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        self.fields = fields
    }

    /// The field's value with surrounding white space removed; `nil` when absent or empty.
    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }
}
