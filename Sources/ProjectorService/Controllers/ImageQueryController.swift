import Foundation
import Hummingbird
import ReadModel
import RegistryDomain
import RegistryHTTP

/// `GET /v1/images/{id}`: one image version, to callers who may see it.
struct ImageQueryController: Sendable {
    let queries: any RegistryQueries
    let waiter: ProjectionWaiter

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("images/:id", use: show)
    }

    @Sendable func show(request: Request, context: RegistryRequestContext) async throws -> Response {
        let idText = try context.parameters.require("id")
        guard let id = UUID(uuidString: idText) else { throw APIError.notFound("image \(idText) not found") }
        try await waiter.waitForRequestedPosition(request)
        guard let image = try await queries.image(id: id), try await isVisible(image, to: context.caller) else {
            throw APIError.notFound("image \(idText) not found")
        }
        return try JSONResponse.encode(ImageResource(image), status: .ok)
    }

    /// Base images are public; a namespaced image follows its namespace's
    /// visibility; a personal image is its owner's alone.
    private func isVisible(_ image: ImageRecord, to caller: Caller?) async throws -> Bool {
        let reader = caller.flatMap { $0.has(.imageRead) ? $0 : nil }
        if image.source == .base || reader?.has(.registryAdmin) == true { return true }
        if let reader, reader.username.value == image.owner { return true }
        guard let owner = image.owner, let path = image.namespacePath,
            let namespace = try await queries.namespace(owner: owner, path: path)
        else { return false }
        switch namespace.visibility {
        case .public: return true
        case .internal: return reader != nil
        case .private: return false
        }
    }
}
