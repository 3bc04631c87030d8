import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// `GET /v1/resolve`: the scheduler's lookup from a manifest's image name to
/// a stored QCOW2 file. It records nothing (see `POST /v1/resolutions`).
/// A revoked version answers `410`, a deprecated one carries a `Warning`
/// (``ResolutionOutcome``).
///
/// Answers come from the replica's ``ResolutionCache`` unless the request
/// names a position to read after: the cache learns of changes by
/// notification, which may arrive a moment after the position is visible.
struct ResolveController: Sendable {
    let queries: any ImageRepository
    let cache: ResolutionCache

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("resolve", use: resolve)
    }

    @Sendable func resolve(request: Request, context: RegistryRequestContext) async throws
        -> EditedResponse<ResolutionResource>
    {
        let caller = try context.requireCaller()
        let driverText = try request.requiredQueryParameter("driver")
        let imageText = try request.requiredQueryParameter("image")
        let userText = try request.requiredQueryParameter("user")
        let resolution = try validated { () throws(NameError) in
            let user = try Username(userText)
            return ResolutionRequest(
                user: user,
                namespace: try request.queryParameter("namespace").map { text throws(NameError) in
                    try NamespaceReference(parsing: text, defaultOwner: user)
                },
                image: imageText,
                driver: try Driver(parsing: driverText))
        }
        let plan = try validated { () throws(NameError) in try ResolutionPlan(for: resolution) }
        guard caller.mayResolve(for: resolution.user) else {
            throw APIError.notFound("image \(imageText) not found")
        }
        let found: Resolution?
        if context.readsAfterPosition {
            found = try await queries.resolve(plan, for: resolution.user)
        } else {
            found = try await cache.resolve(resolution) { try await queries.resolve(plan, for: resolution.user) }
        }
        guard let found else {
            throw APIError.notFound("image \(imageText) not found for \(resolution.user)")
        }
        if let reason = ResolutionOutcome.refusalReason(of: found) { throw ResolutionOutcome.gone(reason) }
        let resource = ResolutionResource(found)
        return EditedResponse(headers: ResolutionOutcome.warningHeaders(for: resource), response: resource)
    }
}
