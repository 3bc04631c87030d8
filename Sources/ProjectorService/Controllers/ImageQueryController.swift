import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// `GET /v1/images` (visible images, filtered and paginated; `deleted=true`
/// lists deleted versions too, to whoever may see where they lived;
/// `newest=true` only the newest live version of each image) and
/// `GET /v1/images/{id}` (one version, to callers who may see it).
struct ImageQueryController: Sendable {
    let queries: any RegistryQueries

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("images", use: list)
        group.get("images/:id", use: show)
    }

    @Sendable func list(request: Request, context: RegistryRequestContext) async throws -> Page<ImageResource> {
        let page = try PageRequest(request)
        var filter = ImageListFilter(
            search: request.queryParameter("search"), limit: page.limit,
            includeDeleted: request.queryParameter("deleted") == "true",
            newestOnly: request.queryParameter("newest") == "true")
        if let text = request.queryParameter("namespace") {
            let viewerName = context.viewer(for: .imageRead).username
            filter.namespace = try validated { () throws(NameError) in
                try NamespaceReference(parsing: text, defaultOwner: viewerName)
            }
        }
        filter.after = try page.cursorID()
        let images = try await queries.images(filter, viewer: context.viewer(for: .imageRead))
        return Page(items: images.map(ImageResource.init), nextCursor: page.nextCursor(images) { $0.id.uuidString })
    }

    @Sendable func show(request: Request, context: RegistryRequestContext) async throws -> ImageResource {
        let idText = try context.parameters.require("id")
        guard let id = UUID(uuidString: idText) else { throw APIError.notFound("image \(idText) not found") }
        guard let image = try await queries.image(id: id),
            try await ImageVisibility(queries: queries).allows(image, to: context.viewer(for: .imageRead))
        else {
            throw APIError.notFound("image \(idText) not found")
        }
        return ImageResource(image)
    }
}

/// Whether a viewer may see one image version, as ``AccessPolicy`` decides.
struct ImageVisibility: Sendable {
    let queries: any NamespaceRepository

    func allows(_ image: ImageRecord, to viewer: Viewer) async throws -> Bool {
        guard let placement = try await queries.placement(of: image) else { return false }
        return AccessPolicy.canSee(placement, viewer: viewer)
    }
}
