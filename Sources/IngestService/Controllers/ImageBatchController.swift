import Foundation
import Hummingbird
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// `POST /v1/images/batch` registers many already stored image files in one
/// request: one `image-created` event each, all published together and
/// answered once the broker has acknowledged every one.
///
/// The whole batch is validated and authorised before anything is
/// recorded: one bad or forbidden registration refuses the batch. The
/// request must carry an `Idempotency-Key`: should the broker fail part-way,
/// some events are recorded and some not, and a retry with the same key
/// records only what is missing (each registration's event and image ids
/// derive from the key and its index).
struct ImageBatchController: Sendable {
    let recorder: CommandRecorder
    let rules: ImageWriteRules

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("images/batch", use: register)
    }

    typealias Registered = ImageBatchResult.Registered

    /// `202` with each registration in order.
    @Sendable func register(request: Request, context: RegistryRequestContext) async throws
        -> EditedResponse<ImageBatchResult>
    {
        let caller = try context.requireCaller(with: .imageWrite, hiding: "image")
        let (command, body) = try await JSONBody.decodeKeepingBytes(
            RegisterImageBatchRequest.self, from: request, limit: RegisterImageBatchRequest.maximumSize)
        guard let idempotent = try recorder.idempotency(
            of: request, caller: caller, route: "POST /v1/images/batch", parameters: [body])
        else {
            throw APIError.badRequest(
                "Idempotency-Key: a batch needs one, so that a retry after a failure records nothing twice",
                code: "missing_idempotency_key")
        }
        let validated = try command.validated(with: rules, for: caller)
        for scope in Set(validated.map(\.scope)) {
            try await rules.authorize(caller, toWrite: scope)
        }
        var images: [RegisterImageRequest.ValidatedImage] = []
        for (index, image) in validated.enumerated() {
            images.append(try await RegisterImageBatchRequest.naming(index) { try await rules.verify(image, for: caller) })
        }
        // The batch is one request: the same key with another batch, or the
        // same one reordered, is refused; its items' events are looked up below.
        _ = try await recorder.claim(idempotent)
        let key = idempotent.key
        let keys = images.indices.map { key.item($0) }
        let earlier = try await recorder.earlier(keys)
        // Registrations an earlier try recorded record nothing; the rest are
        // recorded at once. Whether bytes that already are the newest version
        // make a new one is the fold's to decide, at each event's position.
        var registered: [Registered?] = images.indices.map { index in
            earlier[keys[index].eventID].map { Registered(imageID: keys[index].imageID, event: $0) }
        }
        try await withThrowingTaskGroup(of: (Int, Registered).self) { group in
            for index in registered.indices where registered[index] == nil {
                let (image, key) = (images[index], keys[index])
                group.addTask { (index, try await record(image, key: key, caller: caller, context: context)) }
            }
            for try await (index, outcome) in group { registered[index] = outcome }
        }
        return EditedResponse(status: .accepted, response: ImageBatchResult(images: registered.compactMap { $0 }))
    }

    /// Records one registration's `image-created` event.
    private func record(
        _ image: RegisterImageRequest.ValidatedImage, key: IdempotencyKey, caller: Caller,
        context: RegistryRequestContext
    ) async throws -> Registered {
        let created = image.scope.created(
            imageID: key.imageID, driver: image.driver, location: image.location, sha256: image.sha256,
            size: image.size, verified: image.verified)
        let event = try await recorder.record(
            .imageCreated(created), subject: image.scope.subject, caller: caller, context: context, key: key)
        return Registered(imageID: key.imageID, event: event)
    }
}
