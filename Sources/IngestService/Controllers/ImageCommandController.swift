import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// `POST /v1/images` records `image-created`, either for a JSON body naming
/// a file already stored at a `file://`, `s3://` or `https://` location, or
/// for a raw `application/x-qemu-disk` upload stored in the blob store; a
/// JSON body with `download_url` (and `POST /v1/imports`) is an import
/// (``ImportImage``).
/// `DELETE /v1/images/{id}` retires one version (`image-deleted`).
struct ImageCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any RegistryQueries
    let uploader: ImageUploader
    let rules: ImageWriteRules
    let outbound: OutboundRules
    /// How long after a build resolved a version deleting it needs `?force=true`.
    let recentBuildWindow: Duration

    private var importCommand: ImportImage { ImportImage(queries: queries, rules: rules, outbound: outbound) }

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("images") { request, context -> Response in
            if request.headers[.contentType]?.lowercased().hasPrefix(ImageUploader.contentType) == true {
                return try await recorder.handle(
                    UploadImage(queries: queries, uploader: uploader, rules: rules), request: request, context: context
                ).response(from: request, context: context)
            }
            var request = request
            if try await ImportImage.isImport(&request) {
                return try await recorder.handle(importCommand, request: request, context: context)
                    .response(from: request, context: context)
            }
            return try await recorder.handle(RegisterImage(queries: queries, rules: rules), request: request, context: context)
                .response(from: request, context: context)
        }
        group.post("imports") { request, context in
            try await recorder.handle(importCommand, request: request, context: context)
        }
        group.delete("images/:id") { request, context in
            try await recorder.handle(
                DeleteImage(queries: queries, recentBuildWindow: recentBuildWindow), request: request, context: context)
        }
    }

    /// A JSON registration of bytes already stored.
    struct RegisterImage: ImageCreation {
        struct Parsed: Sendable {
            let image: RegisterImageRequest.ValidatedImage
            let body: [UInt8]
        }

        let queries: any RegistryQueries
        let rules: ImageWriteRules

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
            let (command, body) = try await JSONBody.decodeKeepingBytes(RegisterImageRequest.self, from: request)
            return Parsed(image: try rules.validated(command, for: caller), body: body)
        }

        func authorize(_ parsed: Parsed, caller: Caller) async throws -> Parsed {
            try await rules.authorize(caller, toWrite: parsed.image.scope)
            return parsed
        }

        /// What resolves is what the registry verified (``ImageWriteRules/verify(_:for:)``).
        func prepare(_ allowed: Parsed, request: Request, caller: Caller) async throws
            -> (RegisterImageRequest.ValidatedImage, fingerprint: [[UInt8]])
        {
            let verified = try await rules.verify(allowed.image, for: caller)
            try await rules.quotas.admit(verified.scope, bytes: verified.size, digest: verified.sha256)
            return (verified, [Array("json".utf8), allowed.body])
        }
    }

    /// A raw upload. Who may write is checked before a byte of the body is
    /// read. The stored blob is never removed here, whatever happens next:
    /// an event naming it may have been acknowledged (a 504 while waiting,
    /// a lost answer), or another image may hold the same bytes. Blobs no
    /// image needs are removed by garbage collection (`image-ingest gc`).
    struct UploadImage: ImageCreation {
        let queries: any RegistryQueries
        let uploader: ImageUploader
        let rules: ImageWriteRules

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> ImageScope {
            try uploader.scope(of: request, caller: caller)
        }

        func authorize(_ scope: ImageScope, caller: Caller) async throws -> ImageScope {
            try await rules.authorize(caller, toWrite: scope)
            return scope
        }

        func prepare(_ scope: ImageScope, request: Request, caller: Caller) async throws
            -> (RegisterImageRequest.ValidatedImage, fingerprint: [[UInt8]])
        {
            let blob = try await uploader.store(request, into: scope, quotas: rules.quotas)
            let image = RegisterImageRequest.ValidatedImage(
                scope: scope, driver: .qemu, location: blob.location, sha256: blob.digest, size: blob.size,
                verified: true)
            let parameters = ["upload", request.queryParameter("name"), request.queryParameter("namespace"),
                              request.queryParameter("source"), blob.digest.hex]
            return (image, parameters.map { Array(($0 ?? "").utf8) })
        }
    }

    /// Who may delete is decided before the key is looked at, so a reused
    /// key never reveals an image; a retry of an applied delete answers it.
    /// A version a build resolved within ``recentBuildWindow`` is deleted
    /// only with `?force=true`; otherwise `409` lists those builds.
    struct DeleteImage: IngestCommand {
        let queries: any RegistryQueries
        let recentBuildWindow: Duration

        static let route = "DELETE /v1/images/{id}"
        static let access = CommandAccess.scope(.imageWrite, hiding: "image")

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> String {
            try context.parameters.require("id")
        }

        func authorize(_ idText: String, caller: Caller) async throws -> ImageRecord {
            guard let id = UUID(uuidString: idText), let image = try await queries.image(id: id),
                let placement = try await queries.placement(of: image),
                AccessPolicy.canDelete(placement, viewer: caller.viewer)
            else {
                throw APIError.notFound("image \(idText) not found")
            }
            return image
        }

        func prepare(_ image: ImageRecord, request: Request, caller: Caller) async throws
            -> (ImageRecord, fingerprint: [[UInt8]])
        {
            if image.deletedAt == nil, request.queryParameter("force") != "true" {
                try await refuseIfRecentlyBuilt(image)
            }
            return (image, [])
        }

        /// `409 recently_resolved` with the builds that got `image` within the window.
        private func refuseIfRecentlyBuilt(_ image: ImageRecord) async throws {
            let since = Date().addingTimeInterval(-Double(recentBuildWindow / .milliseconds(1)) / 1000)
            let entries = try await queries.audit(
                AuditFilter(type: .imageResolved, imageID: image.id, since: since, limit: 100))
            let builds = entries.compactMap { entry -> JSONValue? in
                guard entry.rejected == nil,
                    case .imageResolved(let resolved)? = try? CloudEventsCodec.decodeData(
                        type: .imageResolved, from: Array(entry.data.utf8)),
                    resolved.refusal == nil
                else { return nil }
                return .object([
                    "build_id": .string(resolved.buildID),
                    "resolved_at": .string(EventTime.text(entry.occurredAt)),
                ])
            }
            guard !builds.isEmpty else { return }
            let hours = recentBuildWindow / .seconds(3600)
            throw APIError.conflict(
                "image \(image.id.uuidString.lowercased()) (\(image.name) version \(image.version)) was resolved by "
                    + "\(builds.count) build(s) in the last \(hours) hours; delete it with ?force=true if you are sure",
                code: "recently_resolved", details: .object(["builds": .array(builds)]))
        }

        func unchanged(_ image: ImageRecord) async throws -> ImageResource? {
            guard image.deletedAt == nil else {
                throw APIError.notFound("image \(image.id.uuidString.lowercased()) not found")
            }
            return nil
        }

        func event(for image: ImageRecord, caller: Caller, key: IdempotencyKey?) throws
            -> (RegistryEvent, subject: String)
        {
            (.imageDeleted(ImageDeleted(imageID: image.id)), image.owner?.value ?? EventEnvelope.baseImagesKey)
        }

        /// `200` with the deleted image.
        func outcome(of image: ImageRecord, recorded: RecordedEvent) async throws -> (ImageResource, HTTPResponse.Status)? {
            try await queries.image(id: image.id).map { (ImageResource($0), .ok) }
        }
    }
}

/// What a registration and an upload share: the route, the event, and the
/// answer. Registering the exact bytes that are already the newest version
/// of the name makes no new version; the fold decides that, at the event's
/// position, and `?wait=true` answers `201` for a new version and `200`
/// with the version the bytes already were.
protocol ImageCreation: IngestCommand
where Prepared == RegisterImageRequest.ValidatedImage, Resource == ImageResource {
    var queries: any RegistryQueries { get }
}

extension ImageCreation {
    static var route: String { "POST /v1/images" }
    static var access: CommandAccess { .scope(.imageWrite, hiding: "image") }

    func event(for image: Prepared, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String) {
        (.imageCreated(image.created(imageID: key?.imageID ?? EventID.make())), image.scope.subject)
    }

    /// `201` with the new version, or `200` with the version the bytes
    /// already were (the fold's image differs from the event's).
    func outcome(of image: Prepared, recorded: RecordedEvent) async throws -> (ImageResource, HTTPResponse.Status)? {
        guard case .imageCreated(let created) = recorded.event,
            let entry = try await queries.appliedEvent(id: recorded.reference.id), entry.rejected == nil,
            let imageID = entry.imageID, let image = try await queries.image(id: imageID)
        else { return nil }
        return (ImageResource(image), created.imageID == imageID ? .created : .ok)
    }
}
