import Hummingbird
import ReadModel
import RegistryAPI
import RegistryHTTP

/// `GET /v1/quotas?namespace=root@owner` or `?user=name`: the quota and
/// the scope's usage (logical, physical, versions, in flight), to
/// administrators and the owner; 404 to anyone else.
struct QuotaQueryController: Sendable {
    let queries: any RegistryQueries

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("quotas") { request, context -> QuotaResource in
            let scope = try QuotaScope(request)
            let viewer = context.viewer(for: .imageRead)
            guard viewer.isAdministrator || viewer.username == scope.owner else {
                throw APIError.notFound("no quota for \(scope.owner.value) that you may see")
            }
            return try await scope.resource(from: queries)
        }
    }
}
