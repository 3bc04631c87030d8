import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// `GET /v1/imports` (the caller's imports: those they requested and those
/// that add images of theirs, newest first) and `GET /v1/imports/{id}`,
/// which with `?wait=true` answers once the import has ended, or as it is
/// after ``waitLimit``. Only the requester, the owner of the image it makes
/// and administrators see an import; to anyone else it does not exist.
struct ImportQueryController: Sendable {
    static let waitLimit: Duration = .seconds(60)

    let queries: any ImportRepository & ImageRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("imports", use: mine)
        group.get("imports/:id", use: show)
    }

    @Sendable func mine(request: Request, context: RegistryRequestContext) async throws -> Page<ImportResource> {
        let caller = try context.requireCaller()
        let page = try PageRequest(request)
        guard caller.has(.imageRead) else { return Page(items: [], nextCursor: nil) }
        var before: ImportRecord.Key?
        if let (milliseconds, idText) = try page.cursorPair() {
            guard let milliseconds = Int64(milliseconds), let id = UUID(uuidString: idText) else {
                throw APIError.badRequest("cursor is not one this service handed out", code: "invalid_parameter")
            }
            before = ImportRecord.Key(requestedAt: Date(timeIntervalSince1970: Double(milliseconds) / 1000), id: id)
        }
        let records = try await queries.imports(of: caller.username, before: before, limit: page.limit)
        var items: [ImportResource] = []
        for record in records { items.append(try await resource(record)) }
        return Page(items: items, nextCursor: page.nextCursor(records) { record in
            "\(Int64((record.requestedAt.timeIntervalSince1970 * 1000).rounded()))/\(record.request.importID.uuidString)"
        })
    }

    @Sendable func show(request: Request, context: RegistryRequestContext) async throws -> ImportResource {
        let idText = try context.parameters.require("id")
        let viewer = context.viewer(for: .imageRead)
        guard let id = UUID(uuidString: idText), let found = try await queries.importRecord(id),
            AccessPolicy.canSee(importOf: found.request.owner, requestedBy: found.requestedBy, viewer: viewer)
        else {
            throw APIError.notFound("import \(idText) not found")
        }
        let record = request.wantsProjectedResult
            ? try await queries.importRecord(id, waitingUpTo: Self.waitLimit) ?? found : found
        return try await resource(record)
    }

    private func resource(_ record: ImportRecord) async throws -> ImportResource {
        var image: ImageRecord?
        if let id = record.imageID { image = try await queries.image(id: id) }
        return ImportResource(record, image: image)
    }
}
