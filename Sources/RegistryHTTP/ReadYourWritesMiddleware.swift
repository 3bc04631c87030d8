import Hummingbird
import RegistryDomain

/// Read-your-writes for a route group: a request that names a log position
/// (`Registry-Position: partition:offset`, or `?after=`) is handled once the
/// read model has applied it, so it sees the write that answered with that
/// position. 400 when the position is malformed, 504 when the read model
/// does not reach it within the waiter's bound.
public struct ReadYourWritesMiddleware: RouterMiddleware {
    private let waiter: ProjectionWaiter

    public init(waiter: ProjectionWaiter) {
        self.waiter = waiter
    }

    public func handle(
        _ request: Request, context: RegistryRequestContext,
        next: (Request, RegistryRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let text = request.headers[.registryPosition] ?? request.queryParameter("after") else {
            return try await next(request, context)
        }
        guard let position = LogPosition(text) else {
            throw APIError.badRequest("a position is written partition:offset (got \"\(text)\")", code: "invalid_position")
        }
        try await waiter.waitUntilProjected(position)
        var context = context
        context.readsAfterPosition = true
        return try await next(request, context)
    }
}
