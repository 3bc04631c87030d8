import Hummingbird

/// `GET /healthz` (the process is alive) and `GET /readyz` (its
/// dependencies answer, so a load balancer may send it traffic).
public struct HealthController: Sendable {
    /// Throws when a dependency is not ready.
    public typealias ReadinessCheck = @Sendable () async throws -> Void

    private let readiness: ReadinessCheck

    public init(readiness: @escaping ReadinessCheck) {
        self.readiness = readiness
    }

    public func addRoutes(to router: Router<RegistryRequestContext>) {
        router.get("healthz") { _, _ in
            HealthStatus(status: "ok")
        }
        router.get("readyz") { _, _ in
            do {
                try await readiness()
            } catch {
                throw APIError.serviceUnavailable("not ready: \(error)")
            }
            return HealthStatus(status: "ready")
        }
    }
}

/// The body of `/healthz` and `/readyz`.
struct HealthStatus: ResponseEncodable {
    let status: String
}
