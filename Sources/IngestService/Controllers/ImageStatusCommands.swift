import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// `POST /v1/images/{id}/deprecate`, `…/revoke` and `…/restore`: retire a
/// version with a warning, stop builds from booting it (now or at a time
/// ahead), or undo either. Who may delete a version may do these.
struct ImageStatusCommands: Sendable {
    let recorder: CommandRecorder
    let queries: any RegistryQueries

    /// How far ahead a revocation may be scheduled.
    static let longestSchedule: TimeInterval = 10 * 365 * 24 * 3600

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        for kind in ImageStatusChange.Kind.allCases {
            group.post("images/:id/\(kind.verb)") { request, context in
                try await recorder.handle(ChangeImageStatus(kind: kind, queries: queries), request: request, context: context)
            }
        }
    }

    struct ChangeImageStatus: IngestCommand {
        struct Parsed: Sendable {
            let idText: String
            let request: ImageStatusRequest
            let body: [UInt8]
        }

        struct Allowed: Sendable {
            let image: ImageRecord
            let change: ImageStatusChange
            let body: [UInt8]
        }

        let kind: ImageStatusChange.Kind
        let queries: any RegistryQueries

        /// One scope for the three: a key reused across them is refused (`422`).
        static let route = "POST /v1/images/{id}/status"
        static let access = CommandAccess.scope(.imageWrite, hiding: "image")

        /// A restore has no body; the others take JSON.
        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
            let id = try context.parameters.require("id")
            guard kind != .restored else { return Parsed(idText: id, request: ImageStatusRequest(), body: []) }
            let (command, body) = try await JSONBody.decodeKeepingBytes(ImageStatusRequest.self, from: request)
            return Parsed(idText: id, request: command, body: body)
        }

        /// Who may not delete the version learns nothing of it (404); the
        /// body is checked after, against the version found.
        func authorize(_ parsed: Parsed, caller: Caller) async throws -> Allowed {
            guard let id = UUID(uuidString: parsed.idText), let image = try await queries.image(id: id),
                image.deletedAt == nil, let placement = try await queries.placement(of: image),
                AccessPolicy.canDelete(placement, viewer: caller.viewer)
            else {
                throw APIError.notFound("image \(parsed.idText) not found")
            }
            let change = ImageStatusChange(
                kind: kind, imageID: image.id, reason: parsed.request.reason,
                replacement: parsed.request.replacement, effectiveAt: parsed.request.effectiveAt)
            try validated { () throws(NameError) in try change.validate() }
            if let effectiveAt = change.effectiveAt {
                let now = Date()
                guard effectiveAt > now.addingTimeInterval(-60),
                    effectiveAt < now.addingTimeInterval(ImageStatusCommands.longestSchedule)
                else {
                    throw APIError.badRequest(
                        "effective_at must be ahead (leave it out to revoke now) and within ten years", code: "invalid_field")
                }
            }
            return Allowed(image: image, change: change, body: parsed.body)
        }

        func prepare(_ allowed: Allowed, request: Request, caller: Caller) async throws
            -> (Allowed, fingerprint: [[UInt8]])
        {
            (allowed, [Array(kind.rawValue.utf8), Array(allowed.image.id.uuidString.utf8), allowed.body])
        }

        /// Restoring a version that is neither deprecated nor revoked changes nothing.
        func unchanged(_ allowed: Allowed) async throws -> ImageResource? {
            guard kind == .restored, allowed.image.deprecation == nil, allowed.image.revocation == nil else { return nil }
            return ImageResource(allowed.image)
        }

        func event(for allowed: Allowed, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String) {
            (.imageStatusChanged(allowed.change), allowed.image.owner?.value ?? EventEnvelope.baseImagesKey)
        }

        /// `200` with the version as it now is.
        func outcome(of allowed: Allowed, recorded: RecordedEvent) async throws -> (ImageResource, HTTPResponse.Status)? {
            try await queries.image(id: allowed.image.id).map { (ImageResource($0), .ok) }
        }
    }
}
