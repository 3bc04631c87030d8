import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// `GET /v1/retention/preview?namespace=path@owner` (or `?user=name` for
/// personal images, under the deployment's default policy): what the
/// policy would remove now, version by version, and why; the owner (or an
/// administrator) only. `POST /v1/retention` on ingest removes exactly this.
struct RetentionQueryController: Sendable {
    let queries: any RegistryQueries
    let personalPolicy: RetentionPolicy?

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("retention/preview") { request, context -> RetentionResource in
            let scope = try await RetentionScope.load(
                request, viewer: context.viewer(for: .namespaceRead), personalPolicy: personalPolicy, queries: queries)
            return RetentionResource(
                target: scope.target, policy: scope.policy,
                items: scope.removals.map { RetentionResource.Item($0) })
        }
    }
}
