import Foundation
import Hummingbird
import ReadModel
import RegistryDomain
import RegistryHTTP

/// `POST /v1/images` records `image-created`, either for a JSON body naming
/// a file already stored at a `file://`, `s3://` or `https://` location, or
/// for a raw `application/x-qemu-disk` upload stored in the blob store.
/// `DELETE /v1/images/{id}` retires one version (`image-deleted`).
struct ImageCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any RegistryQueries
    let uploader: ImageUploader
    let rules: ImageWriteRules

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("images", use: register)
        group.delete("images/:id", use: delete)
    }

    /// Registering the exact bytes that are already the newest version of the
    /// name changes nothing and answers 200 with that version.
    @Sendable func register(request: Request, context: RegistryRequestContext) async throws -> Response {
        let caller = try context.requireCaller(with: .imageWrite, hiding: "image")
        if request.headers[.contentType]?.lowercased().hasPrefix(ImageUploader.contentType) == true {
            return try await upload(request: request, context: context, caller: caller)
        }
        let image = try rules.validated(try await JSONBody.decode(RegisterImageCommand.self, from: request), for: caller)
        try await recorder.waiter.waitForRequestedPosition(request)
        try await rules.authorize(caller, toWrite: image.scope)
        let key = try recorder.idempotencyKey(of: request, caller: caller)
        if let earlier = try await recorder.earlier(key) {
            return try await answer(earlier, imageID: key!.imageID, request: request)
        }
        return try await create(
            image.scope, driver: image.driver, location: image.location, sha256: image.sha256, size: image.size,
            caller: caller, key: key, request: request, context: context)
    }

    /// Checks who may write before reading a byte of the body, then streams it.
    private func upload(request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Response {
        let scope = try uploader.scope(of: request, caller: caller)
        try await recorder.waiter.waitForRequestedPosition(request)
        try await rules.authorize(caller, toWrite: scope)
        let key = try recorder.idempotencyKey(of: request, caller: caller)
        if let earlier = try await recorder.earlier(key) {
            return try await answer(earlier, imageID: key!.imageID, request: request)
        }
        let blob = try await uploader.store(request)
        do {
            return try await create(
                scope, driver: .qemu, location: blob.location, sha256: blob.digest, size: blob.size,
                caller: caller, key: key, request: request, context: context)
        } catch {
            await uploader.blobs.remove(blob)
            throw error
        }
    }

    private func create(
        _ scope: ImageScope, driver: Driver, location: ImageLocation, sha256: SHA256Digest, size: Int64,
        caller: Caller, key: IdempotencyKey?, request: Request, context: RegistryRequestContext
    ) async throws -> Response {
        if let unchanged = try await rules.unchangedVersion(of: scope, sha256: sha256) {
            return try JSONResponse.encode(ImageResource(unchanged), status: .ok)
        }
        let imageID = key?.imageID ?? EventID.make()
        let created = scope.created(imageID: imageID, driver: driver, location: location, sha256: sha256, size: size)
        let event = try await recorder.record(
            .imageCreated(created), subject: scope.subject, caller: caller, context: context, key: key)
        return try await answer(event, imageID: imageID, request: request)
    }

    /// `202` with the event, or with `?wait=true` the projected image.
    private func answer(
        _ event: EventReference, imageID: UUID, request: Request, status: HTTPResponse.Status = .created
    ) async throws -> Response {
        let queries = self.queries
        return try await recorder.answer(event, request: request, status: status) {
            try await queries.image(id: imageID).map(ImageResource.init)
        }
    }

    @Sendable func delete(request: Request, context: RegistryRequestContext) async throws -> Response {
        let caller = try context.requireCaller(with: .imageWrite, hiding: "image")
        let idText = try context.parameters.require("id")
        try await recorder.waiter.waitForRequestedPosition(request)
        let key = try recorder.idempotencyKey(of: request, caller: caller)
        if let earlier = try await recorder.earlier(key), let id = UUID(uuidString: idText) {
            return try await answer(earlier, imageID: id, request: request, status: .ok)
        }
        guard let id = UUID(uuidString: idText), let image = try await queries.image(id: id), image.deletedAt == nil,
            try await mayDelete(image, caller: caller)
        else {
            throw APIError.notFound("image \(idText) not found")
        }
        let event = try await recorder.record(
            .imageDeleted(ImageDeleted(imageID: id)), subject: image.owner ?? EventEnvelope.baseImagesKey,
            caller: caller, context: context, key: key)
        return try await answer(event, imageID: id, request: request, status: .ok)
    }

    private func mayDelete(_ image: ImageRecord, caller: Caller) async throws -> Bool {
        let viewer = caller.viewer
        guard let owner = image.owner else { return viewer.isAdministrator }
        guard let path = image.namespacePath else { return viewer.isAdministrator || owner == caller.username.value }
        guard let access = try await queries.namespaceAccess(owner: owner, path: path) else { return false }
        return AccessPolicy.canWrite(access, viewer: viewer)
    }
}
