import Foundation
import Hummingbird

/// `limit` and `cursor` query parameters of list endpoints, and the
/// opaque cursors they hand out.
public struct PageRequest: Sendable {
    public static let defaultLimit = 100
    public static let maximumLimit = 1000

    public let limit: Int
    /// The decoded cursor text, or `nil` for the first page.
    public let cursor: String?

    public init(_ request: Request) throws {
        // Present but empty is malformed too, unlike for text parameters.
        if let text = request.uri.queryParameters[Substring("limit")].map(String.init) {
            guard let parsed = Int(text), (1...Self.maximumLimit).contains(parsed) else {
                throw APIError.badRequest("limit must be 1 to \(Self.maximumLimit)", code: "invalid_parameter")
            }
            limit = parsed
        } else {
            limit = Self.defaultLimit
        }
        if let text = request.queryParameter("cursor") {
            guard let decoded = Self.decode(text) else { throw Self.invalidCursor }
            cursor = decoded
        } else {
            cursor = nil
        }
    }

    static let invalidCursor = APIError.badRequest("cursor is not one this service handed out", code: "invalid_parameter")

    /// The cursor as an id, for lists ordered by id.
    public func cursorID() throws -> UUID? {
        guard let cursor else { return nil }
        guard let id = UUID(uuidString: cursor) else { throw Self.invalidCursor }
        return id
    }

    /// The cursor as a number, for lists ordered by a sequence.
    public func cursorNumber() throws -> Int64? {
        guard let cursor else { return nil }
        guard let number = Int64(cursor) else { throw Self.invalidCursor }
        return number
    }

    /// The cursor as the two parts of a `first/second` key.
    public func cursorPair() throws -> (String, String)? {
        guard let cursor else { return nil }
        let parts = cursor.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw Self.invalidCursor }
        return (parts[0], parts[1])
    }

    /// The cursor of the page after `items`, or `nil` when this page is the last.
    public func nextCursor<Item>(_ items: [Item], key: (Item) -> String) -> String? {
        guard items.count == limit, let last = items.last else { return nil }
        return Self.encode(key(last))
    }

    static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> String? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }
    }
}
