import Foundation
import Hummingbird
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// `POST /v1/images/batch` registers many already stored image files in one
/// request: one `image-created` event each (see ``IngestBatchCommand``).
struct ImageBatchController: Sendable {
    let recorder: CommandRecorder
    let rules: ImageWriteRules

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("images/batch") { request, context in
            try await recorder.handle(RegisterImageBatch(rules: rules), request: request, context: context)
        }
    }

    /// Whether bytes that already are the newest version of a name make a
    /// new one is the fold's to decide, at each event's position.
    struct RegisterImageBatch: IngestBatchCommand {
        struct Parsed: Sendable {
            let images: [RegisterImageRequest.ValidatedImage]
            let body: [UInt8]
        }

        let rules: ImageWriteRules

        static let route = "POST /v1/images/batch"
        static let access = CommandAccess.scope(.imageWrite, hiding: "image")

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
            let (command, body) = try await JSONBody.decodeKeepingBytes(
                RegisterImageBatchRequest.self, from: request, limit: RegisterImageBatchRequest.maximumSize)
            return Parsed(images: try command.validated(with: rules, for: caller), body: body)
        }

        func authorize(_ parsed: Parsed, caller: Caller) async throws -> Parsed {
            for scope in Set(parsed.images.map(\.scope)) {
                try await rules.authorize(caller, toWrite: scope)
            }
            return parsed
        }

        /// What resolves is what the registry verified, item by item; the
        /// batch as a whole must fit the quotas.
        func prepare(_ parsed: Parsed, request: Request, caller: Caller) async throws
            -> ([RegisterImageRequest.ValidatedImage], fingerprint: [[UInt8]])
        {
            var images: [RegisterImageRequest.ValidatedImage] = []
            for (index, image) in parsed.images.enumerated() {
                images.append(try await RegisterImageBatchRequest.naming(index) { try await rules.verify(image, for: caller) })
            }
            try await rules.quotas.admitAll(images.map { ($0.scope, $0.size, $0.sha256) })
            return (images, [parsed.body])
        }

        func event(for image: RegisterImageRequest.ValidatedImage, key: IdempotencyKey) throws
            -> (RegistryEvent, subject: String)
        {
            (.imageCreated(image.created(imageID: key.imageID)), image.scope.subject)
        }

        func result(for key: IdempotencyKey, event: EventReference) -> ImageBatchResult.Registered {
            ImageBatchResult.Registered(imageID: key.imageID, event: event)
        }

        func answer(_ results: [ImageBatchResult.Registered]) -> ImageBatchResult {
            ImageBatchResult(images: results)
        }
    }
}
