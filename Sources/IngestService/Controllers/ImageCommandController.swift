import Foundation
import Hummingbird
import ReadModel
import RegistryDomain
import RegistryHTTP

/// `POST /v1/images` with a JSON body: registers a file already stored at a
/// `file://`, `s3://` or `https://` location and records `image-created`.
struct ImageCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any RegistryQueries

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("images", use: register)
    }

    @Sendable func register(request: Request, context: RegistryRequestContext) async throws -> Response {
        let caller = try context.requireCaller(with: .imageWrite, hiding: "image")
        let image = try await JSONBody.decode(RegisterImageCommand.self, from: request).validated(for: caller)
        if let namespace = image.namespace, namespace.owner != caller.username {
            throw APIError.notFound("namespace \(namespace) not found")
        }
        let imageID = EventID.make()
        let created = ImageCreated(
            imageID: imageID, source: .custom, owner: caller.username, namespace: image.namespace?.path,
            name: image.name.value, driver: image.driver, location: image.location, sha256: image.sha256,
            size: image.size)
        let event = try await recorder.record(
            .imageCreated(created), subject: caller.username.value, caller: caller, context: context)
        let queries = self.queries
        return try await recorder.answer(event, request: request, status: .created) {
            try await queries.image(id: imageID).map(ImageResource.init)
        }
    }
}
