import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// `GET /v1/admin/dead-letters` (scope `registry:admin`): the records the
/// projection could not apply, with their position, bytes and reason.
struct DeadLetterController: Sendable {
    let queries: any DeadLetterRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("admin/dead-letters", use: list)
    }

    @Sendable func list(request: Request, context: RegistryRequestContext) async throws -> Page<DeadLetterResource> {
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
        return Page(
            items: letters.map(DeadLetterResource.init), nextCursor: page.nextCursor(letters) { $0.position.description })
    }
}
