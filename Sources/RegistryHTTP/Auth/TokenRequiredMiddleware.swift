import Hummingbird

/// Answers 401 for a request without a bearer token, before anything else
/// on the route group looks at it: a route that needs a caller says so
/// first, whatever else is wrong with the request.
public struct TokenRequiredMiddleware: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: RegistryRequestContext, next: (Request, RegistryRequestContext) async throws -> Response
    ) async throws -> Response {
        _ = try context.requireCaller()
        return try await next(request, context)
    }
}
