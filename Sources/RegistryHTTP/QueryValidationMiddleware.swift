import Hummingbird

/// Rules every query string follows, checked before any route runs (400
/// otherwise): no name or value holds a NUL character (no registry field may
/// contain one, and PostgreSQL text can neither store nor compare it), no
/// parameter is given twice (`user=alice&user=bob` would mean whatever each
/// reader of the query takes it to mean: a balancer, a cache, a log and this
/// service could each pick another), and each boolean parameter, when
/// present, is `true` or `false`.
public struct QueryValidationMiddleware<Context: RequestContext>: RouterMiddleware {
    private let booleanParameters: Set<Substring>

    public init(booleanParameters: [String] = []) {
        self.booleanParameters = Set(booleanParameters.map { Substring($0) })
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var seen = Set<Substring>()
        for (name, value) in request.uri.queryParameters {
            guard seen.insert(name).inserted else {
                throw APIError.badRequest("query parameter \(name) is given more than once", code: "invalid_parameter")
            }
            if name.contains("\u{0}") || value.contains("\u{0}") {
                throw APIError.badRequest("query parameters may not contain NUL characters", code: "invalid_parameter")
            }
            if booleanParameters.contains(name), value != "true", value != "false" {
                throw APIError.badRequest("\(name) must be true or false (got \"\(value)\")", code: "invalid_parameter")
            }
        }
        return try await next(request, context)
    }
}
