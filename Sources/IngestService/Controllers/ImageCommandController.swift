import Foundation
import Hummingbird
import ReadModel
import RegistryAuth
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
    /// name makes no new version; with `?wait=true` it answers 200 with it.
    @Sendable func register(request: Request, context: RegistryRequestContext) async throws -> Response {
        let caller = try context.requireCaller(with: .imageWrite, hiding: "image")
        if request.headers[.contentType]?.lowercased().hasPrefix(ImageUploader.contentType) == true {
            return try await upload(request: request, context: context, caller: caller)
        }
        let (command, body) = try await JSONBody.decodeKeepingBytes(RegisterImageCommand.self, from: request)
        let validated = try rules.validated(command, for: caller)
        try await recorder.waiter.waitForRequestedPosition(request)
        try await rules.authorize(caller, toWrite: validated.scope)
        let image = try await rules.verify(validated, for: caller)
        let idempotent = try recorder.idempotency(
            of: request, caller: caller, route: Self.registerRoute, parameters: [Array("json".utf8), body])
        if let earlier = try await recorder.claim(idempotent) {
            return try await answer(earlier, imageID: idempotent!.key.imageID, request: request)
        }
        return try await create(
            image.scope, driver: image.driver, location: image.location, sha256: image.sha256, size: image.size,
            verified: image.verified, caller: caller, key: idempotent?.key, request: request, context: context)
    }

    static let registerRoute = "POST /v1/images"

    /// Checks who may write before reading a byte of the body, then streams
    /// it. The stored blob is never removed here, whatever happens next: an
    /// event naming it may have been acknowledged (a 504 while waiting, a
    /// lost answer), or another image may hold the same bytes. Blobs no
    /// image names are found by `image-ingest orphans`.
    private func upload(request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Response {
        let scope = try uploader.scope(of: request, caller: caller)
        try await recorder.waiter.waitForRequestedPosition(request)
        try await rules.authorize(caller, toWrite: scope)
        let blob = try await uploader.store(request)
        let parameters = ["upload", request.queryParameter("name"), request.queryParameter("namespace"),
                          request.queryParameter("source"), blob.digest.hex]
        let idempotent = try recorder.idempotency(
            of: request, caller: caller, route: Self.registerRoute,
            parameters: parameters.map { Array(($0 ?? "").utf8) })
        if let earlier = try await recorder.claim(idempotent) {
            return try await answer(earlier, imageID: idempotent!.key.imageID, request: request)
        }
        return try await create(
            scope, driver: .qemu, location: blob.location, sha256: blob.digest, size: blob.size, verified: true,
            caller: caller, key: idempotent?.key, request: request, context: context)
    }

    private func create(
        _ scope: ImageScope, driver: Driver, location: ImageLocation, sha256: SHA256Digest, size: Int64,
        verified: Bool, caller: Caller, key: IdempotencyKey?, request: Request, context: RegistryRequestContext
    ) async throws -> Response {
        let imageID = key?.imageID ?? EventID.make()
        let created = scope.created(
            imageID: imageID, driver: driver, location: location, sha256: sha256, size: size, verified: verified)
        let event = try await recorder.record(
            .imageCreated(created), subject: scope.subject, caller: caller, context: context, key: key)
        return try await answer(event, imageID: imageID, request: request)
    }

    /// `202` with the event, or with `?wait=true` the projected image: `201`
    /// for a new version, `200` with the version the bytes already were
    /// (the fold decides which, at the event's position).
    private func answer(_ event: EventReference, imageID: UUID, request: Request) async throws -> Response {
        let queries = self.queries
        return try await recorder.answer(event, request: request) {
            if let image = try await queries.image(id: imageID) { return (ImageResource(image), .created) }
            guard let entry = try await queries.appliedEvent(id: event.id), entry.rejected == nil,
                let standsFor = entry.imageID, let image = try await queries.image(id: standsFor)
            else { return nil }
            return (ImageResource(image), .ok)
        }
    }

    /// Who may delete is decided before the key is looked at, so a reused
    /// key never reveals an image; a retry of an applied delete answers it.
    @Sendable func delete(request: Request, context: RegistryRequestContext) async throws -> Response {
        let caller = try context.requireCaller(with: .imageWrite, hiding: "image")
        let idText = try context.parameters.require("id")
        try await recorder.waiter.waitForRequestedPosition(request)
        guard let id = UUID(uuidString: idText), let image = try await queries.image(id: id),
            try await mayDelete(image, caller: caller)
        else {
            throw APIError.notFound("image \(idText) not found")
        }
        let idempotent = try recorder.idempotency(
            of: request, caller: caller, route: "DELETE /v1/images/{id}", parameters: [])
        if let earlier = try await recorder.claim(idempotent) {
            return try await answerDeletion(earlier, imageID: id, request: request)
        }
        guard image.deletedAt == nil else { throw APIError.notFound("image \(idText) not found") }
        let event = try await recorder.record(
            .imageDeleted(ImageDeleted(imageID: id)), subject: image.owner?.value ?? EventEnvelope.baseImagesKey,
            caller: caller, context: context, key: idempotent?.key)
        return try await answerDeletion(event, imageID: id, request: request)
    }

    /// `202` with the event, or with `?wait=true` `200` with the deleted image.
    private func answerDeletion(_ event: EventReference, imageID: UUID, request: Request) async throws -> Response {
        let queries = self.queries
        return try await recorder.answer(event, request: request, status: .ok) {
            try await queries.image(id: imageID).map(ImageResource.init)
        }
    }

    private func mayDelete(_ image: ImageRecord, caller: Caller) async throws -> Bool {
        guard let placement = try await queries.placement(of: image) else { return false }
        return AccessPolicy.canDelete(placement, viewer: caller.viewer)
    }
}
