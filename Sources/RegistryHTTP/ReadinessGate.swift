import Hummingbird

/// Answers `503` with `Retry-After` while the service is not ready (still
/// preparing its database schema and topic), so commands fail fast and
/// clearly instead of timing out.
public struct ReadinessGate: RouterMiddleware {
    private let checkReady: @Sendable () throws -> Void

    /// - Parameter checkReady: throws, saying why, while the service is not ready.
    public init(checkReady: @escaping @Sendable () throws -> Void) {
        self.checkReady = checkReady
    }

    public func handle(
        _ request: Request, context: RegistryRequestContext, next: (Request, RegistryRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            try checkReady()
        } catch {
            throw APIError.serviceUnavailable("\(error)")
        }
        return try await next(request, context)
    }
}
