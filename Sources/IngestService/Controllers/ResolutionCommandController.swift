import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// `POST /v1/resolutions`: resolves an image for a build as the scheduler
/// needs and records `image-resolved`, for found and not-found outcomes.
struct ResolutionCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any RegistryQueries

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("resolutions", use: record)
    }

    /// The scheduler's service token (`image:resolve`) resolves for any build
    /// user; a user token (`image:read`) only for its own builds.
    @Sendable func record(request: Request, context: RegistryRequestContext) async throws -> EditedResponse<Answer> {
        let caller = try context.requireCaller()
        let (command, body) = try await JSONBody.decodeKeepingBytes(RecordResolutionRequest.self, from: request)
        let (buildID, resolution, plan) = try command.validated()
        guard caller.mayResolve(for: resolution.user) else {
            throw APIError.notFound("image \(resolution.image) not found")
        }
        let idempotent = try recorder.idempotency(
            of: request, caller: caller, route: "POST /v1/resolutions", parameters: [body])
        if let earlier = try await recorder.claim(idempotent), let entry = try await queries.appliedEvent(id: earlier.id),
            let recorded = try? JSONDecoder().decode(ImageResolved.self, from: Data(entry.data.utf8))
        {
            // A retry: answer what the first try recorded, not a new resolution.
            return try await answer(recorded.resolution, for: resolution, event: earlier, request: request)
        }
        let found = try await queries.resolve(plan, for: resolution.user)
        let resolved = ImageResolved(
            buildID: buildID, user: resolution.user, namespace: resolution.namespace?.description,
            image: resolution.image, driver: resolution.driver, resolution: found)
        let event = try await recorder.record(
            .imageResolved(resolved), subject: resolution.user.value, caller: caller, context: context, key: idempotent?.key)
        return try await answer(found, for: resolution, event: event, request: request)
    }

    private func answer(
        _ found: Resolution?, for resolution: ResolutionRequest, event: EventReference, request: Request
    ) async throws -> EditedResponse<Answer> {
        if request.wantsProjectedResult {
            try await recorder.waiter.waitUntilProjected(event.position)
        }
        let headers: HTTPFields = [.registryPosition: event.position.description]
        guard let found else {
            let error = ErrorResource.Detail(
                code: "not_found", message: "no image \(resolution.image) for \(resolution.user)")
            return EditedResponse(status: .notFound, headers: headers, response: .notFound(error, event))
        }
        return EditedResponse(
            status: request.wantsProjectedResult ? .ok : .accepted, headers: headers,
            response: .found(ResolutionResource(found, event: event)))
    }

    /// The answer: the resolution with its event, or, when nothing was
    /// found, the error with the event that records the miss.
    enum Answer: ResponseEncodable {
        case found(ResolutionResource)
        case notFound(ErrorResource.Detail, EventReference)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .found(let resolution):
                try resolution.encode(to: encoder)
            case .notFound(let error, let event):
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(error, forKey: .error)
                try container.encode(event, forKey: .event)
            }
        }

        private enum CodingKeys: String, CodingKey { case error, event }
    }
}
