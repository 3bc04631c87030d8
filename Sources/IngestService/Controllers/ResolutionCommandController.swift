import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// `POST /v1/resolutions`: resolves an image for a build as the scheduler
/// needs and records `image-resolved`, for found and not-found outcomes. The
/// event records the version's deprecation or revocation; a revoked version
/// answers `410` (``ResolutionOutcome``), a deprecated one a `Warning`.
struct ResolutionCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any ImageRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("resolutions") { request, context in
            var answer = try await recorder.handle(RecordResolution(queries: queries), request: request, context: context)
            if case .resource(.found(let resource), _) = answer.responseGenerator {
                answer.headers.append(contentsOf: ResolutionOutcome.warningHeaders(for: resource))
            }
            return answer
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
            let found = try await queries.resolve(parsed.plan, for: resolution.user)
            let resolved = ImageResolved(
                buildID: parsed.buildID, user: resolution.user, namespace: resolution.namespace?.description,
                image: resolution.image, driver: resolution.driver, resolution: found,
                refusal: found.flatMap { ResolutionOutcome.refusalReason(of: $0) })
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
                return (.refused(error), .notFound)
            }
            // Whether the build may boot it was decided when the event was made.
            if let reason = resolved.refusal {
                let gone = ResolutionOutcome.gone(reason)
                return (.refused(ErrorResource.Detail(code: gone.code, message: gone.message)), .gone)
            }
            return (.found(ResolutionResource(found)), status)
        }
    }

    /// The resolution, or, when nothing was found or the version is
    /// revoked, the error; the pipeline adds the event either way.
    enum Answer: Encodable, Sendable {
        case found(ResolutionResource)
        case refused(ErrorResource.Detail)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .found(let resolution):
                try resolution.encode(to: encoder)
            case .refused(let error):
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(error, forKey: .error)
            }
        }

        private enum CodingKeys: String, CodingKey { case error }
    }
}
