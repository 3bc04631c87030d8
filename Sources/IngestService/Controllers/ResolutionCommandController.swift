import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// `POST /v1/resolutions`: resolves an image for a build as the scheduler
/// needs and records `image-resolved`, for found and not-found outcomes.
struct ResolutionCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any ImageRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("resolutions") { request, context in
            try await recorder.handle(RecordResolution(queries: queries), request: request, context: context)
        }
    }

    /// The answer is the resolution the event records, with `202` (`200`
    /// once projected), or `404` with the event that records the miss. A
    /// retry answers what its first try recorded, not a new resolution.
    struct RecordResolution: IngestCommand {
        struct Parsed: Sendable {
            let buildID: String
            let request: ResolutionRequest
            let plan: ResolutionPlan
            let body: [UInt8]
        }

        let queries: any ImageRepository

        static let route = "POST /v1/resolutions"
        static let access = CommandAccess.anyToken

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
            let (command, body) = try await JSONBody.decodeKeepingBytes(RecordResolutionRequest.self, from: request)
            let (buildID, resolution, plan) = try command.validated()
            return Parsed(buildID: buildID, request: resolution, plan: plan, body: body)
        }

        /// The scheduler's service token (`image:resolve`) resolves for any
        /// build user; a user token (`image:read`) only for its own builds.
        func authorize(_ parsed: Parsed, caller: Caller) async throws -> Parsed {
            guard caller.mayResolve(for: parsed.request.user) else {
                throw APIError.notFound("image \(parsed.request.image) not found")
            }
            return parsed
        }

        func prepare(_ parsed: Parsed, request: Request, caller: Caller) async throws -> (Parsed, fingerprint: [[UInt8]]) {
            (parsed, [parsed.body])
        }

        func event(for parsed: Parsed, caller: Caller, key: IdempotencyKey?) async throws -> (RegistryEvent, subject: String) {
            let resolution = parsed.request
            let resolved = ImageResolved(
                buildID: parsed.buildID, user: resolution.user, namespace: resolution.namespace?.description,
                image: resolution.image, driver: resolution.driver,
                resolution: try await queries.resolve(parsed.plan, for: resolution.user))
            return (.imageResolved(resolved), resolution.user.value)
        }

        func accepted(_ recorded: RecordedEvent, of parsed: Parsed) -> (Answer, HTTPResponse.Status)? {
            answer(recorded, for: parsed, found: .accepted)
        }

        func outcome(of parsed: Parsed, recorded: RecordedEvent) async throws -> (Answer, HTTPResponse.Status)? {
            answer(recorded, for: parsed, found: .ok)
        }

        private func answer(_ recorded: RecordedEvent, for parsed: Parsed, found status: HTTPResponse.Status)
            -> (Answer, HTTPResponse.Status)?
        {
            guard case .imageResolved(let resolved) = recorded.event else { return nil }
            guard let found = resolved.resolution else {
                let error = ErrorResource.Detail(
                    code: "not_found", message: "no image \(parsed.request.image) for \(parsed.request.user)")
                return (.notFound(error), .notFound)
            }
            return (.found(ResolutionResource(found)), status)
        }
    }

    /// The resolution, or, when nothing was found, the error; the pipeline
    /// adds the event either way.
    enum Answer: Encodable, Sendable {
        case found(ResolutionResource)
        case notFound(ErrorResource.Detail)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .found(let resolution):
                try resolution.encode(to: encoder)
            case .notFound(let error):
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(error, forKey: .error)
            }
        }

        private enum CodingKeys: String, CodingKey { case error }
    }
}
