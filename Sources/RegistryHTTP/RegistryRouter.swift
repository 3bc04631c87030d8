import Foundation
import Hummingbird
import ReadModel
import RegistryAuth

/// The router both services start from: JSON errors, request logs and
/// metrics (count and latency by route and status), query rules, `/healthz`, `/readyz`,
/// `/metrics`, `/openapi.json`, and a `/v1` group behind bearer
/// authentication to which each service adds its controllers.
public struct RegistryRouter {
    public let router: Router<RegistryRequestContext>
    public let v1: RouterGroup<RegistryRequestContext>

    /// - Parameters:
    ///   - service: the service's name, as its metrics report it.
    ///   - readiness: what `/readyz` checks besides the database.
    ///   - booleanQueryParameters: query parameters that must be `true` or `false` when present.
    public init(
        service: String, queries: any ProjectionPositions, verifier: TokenVerifier, openAPIBundle: Bundle,
        booleanQueryParameters: [String] = [], readiness: @escaping HealthController.ReadinessCheck = {}
    ) throws {
        _ = RegistryMetrics.registry
        router = Router(context: RegistryRequestContext.self)
        // A span per request, in the caller's trace when it sends a W3C
        // `traceparent` (a no-op unless tracing is on).
        router.add(middleware: TracingMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: QueryValidationMiddleware(booleanParameters: booleanQueryParameters))
        let ready: HealthController.ReadinessCheck = {
            try await queries.ping()
            try await readiness()
        }
        HealthController(readiness: ready).addRoutes(to: router)
        try OpenAPIDocument(bundle: openAPIBundle).addRoutes(to: router)
        RegistryMetrics.addRoutes(to: router, service: service, readiness: ready)
        v1 = router.group("v1").add(middleware: AuthenticationMiddleware(verifier: verifier))
    }
}
