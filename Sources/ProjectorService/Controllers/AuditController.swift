import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// `GET /v1/audit`: the event history in the order the projection applied
/// it (log order within each owner's partition), filtered and
/// cursor-paginated by that order.
/// Administrators see every entry; other callers the entries that concern them.
struct AuditController: Sendable {
    let queries: any AuditRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("audit", use: list)
    }

    @Sendable func list(request: Request, context: RegistryRequestContext) async throws -> Page<AuditEntryResource> {
        let caller = try context.requireCaller()
        let page = try PageRequest(request)
        var filter = try Self.filter(from: request, page: page)
        if !caller.has(.registryAdmin) {
            filter.visibleTo = caller.username.value
        }
        let entries = try await queries.audit(filter)
        return Page(
            items: try entries.map(AuditEntryResource.init), nextCursor: page.nextCursor(entries) { String($0.sequence) })
    }

    static func filter(from request: Request, page: PageRequest) throws -> AuditFilter {
        func date(_ name: String) throws -> Date? {
            guard let text = request.queryParameter(name) else { return nil }
            guard let date = (try? Date.ISO8601FormatStyle().parse(text))
                ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            else {
                throw APIError.badRequest("\(name) must be an ISO 8601 time (got \"\(text)\")", code: "invalid_parameter")
            }
            return date
        }
        func uuid(_ name: String) throws -> UUID? {
            guard let text = request.queryParameter(name) else { return nil }
            guard let id = UUID(uuidString: text) else {
                throw APIError.badRequest("\(name) must be an id (got \"\(text)\")", code: "invalid_parameter")
            }
            return id
        }
        var filter = AuditFilter()
        if let type = request.queryParameter("type") {
            guard let parsed = EventType(rawValue: type) else {
                throw APIError.badRequest("unknown event type \"\(type)\"", code: "invalid_parameter")
            }
            filter.type = parsed
        }
        filter.namespace = request.queryParameter("namespace")
        filter.imageID = try uuid("image")
        filter.buildID = request.queryParameter("build")
        filter.user = request.queryParameter("user")
        filter.since = try date("since")
        filter.until = try date("until")
        filter.limit = page.limit
        filter.after = try page.cursorNumber()
        return filter
    }
}
