import Foundation
import Hummingbird
import ReadModel
import RegistryDomain
import RegistryHTTP

/// `GET /v1/admin/dead-letters` (scope `registry:admin`): the records the
/// projection could not apply, with their position, bytes and reason.
struct DeadLetterController: Sendable {
    let queries: any DeadLetterRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("admin/dead-letters", use: list)
    }

    @Sendable func list(request: Request, context: RegistryRequestContext) async throws -> Response {
        _ = try context.requireCaller(with: .registryAdmin, hiding: "resource")
        let page = try PageRequest(request)
        var after: LogPosition?
        if let cursor = page.cursor {
            guard let position = LogPosition(cursor) else {
                throw APIError.badRequest("cursor is not one this service handed out", code: "invalid_parameter")
            }
            after = position
        }
        let letters = try await queries.deadLetters(after: after, limit: page.limit)
        return try JSONResponse.encode(
            Page(items: letters.map(DeadLetterResource.init), nextCursor: page.nextCursor(letters) { $0.position.description }),
            status: .ok)
    }
}

/// A dead letter as the API shows it. Key, header names and values and the
/// value are base64 of the record's bytes: they may hold anything, NUL and
/// invalid UTF-8 included, which JSON text cannot.
struct DeadLetterResource: Encodable, Sendable {
    struct Header: Encodable, Sendable {
        let name: String
        let value: String
    }

    let position: LogPosition
    let key: String
    let headers: [Header]
    let value: String
    let reason: String
    let recordedAt: Date

    init(_ letter: DeadLetter) {
        position = letter.position
        key = Data(letter.key).base64EncodedString()
        headers = letter.headers.map {
            Header(name: Data($0.name).base64EncodedString(), value: Data($0.value).base64EncodedString())
        }
        value = Data(letter.value).base64EncodedString()
        reason = letter.reason
        recordedAt = letter.recordedAt
    }

    enum CodingKeys: String, CodingKey {
        case position, key, headers, value, reason
        case recordedAt = "recorded_at"
    }
}
