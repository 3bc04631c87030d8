import Hummingbird
import ReadModel
import RegistryAPI
import RegistryHTTP

/// `GET /v1/retention/preview?namespace=path@owner`: what the namespace's
/// retention policy would remove now, version by version, and why; its
/// owner (or an administrator) only. `POST /v1/retention` on ingest
/// removes exactly this.
struct RetentionQueryController: Sendable {
    let queries: any RegistryQueries

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("retention/preview") { request, context -> RetentionResource in
            let scope = try await RetentionScope.load(
                request, viewer: context.viewer(for: .namespaceRead), queries: queries)
            return RetentionResource(
                namespace: scope.namespace.description, policy: scope.policy,
                items: scope.removals.map { RetentionResource.Item($0) })
        }
    }
}
