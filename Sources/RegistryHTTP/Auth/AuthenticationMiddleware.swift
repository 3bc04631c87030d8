import Hummingbird
import RegistryAuth

/// Reads `Authorization: Bearer <JWT>`. A valid token sets the caller; an
/// invalid one is answered 401 at once; no token leaves the caller unset, and
/// each route decides whether anonymous access is allowed.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = RegistryRequestContext

    private let verifier: TokenVerifier

    public init(verifier: TokenVerifier) {
        self.verifier = verifier
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw APIError.unauthorized("Authorization must be 'Bearer <token>'")
            }
            do {
                context.caller = try await verifier.caller(fromToken: String(parts[1]))
            } catch let rejected as TokenRejected {
                throw APIError.unauthorized(rejected.reason)
            } catch let unavailable as TokenKeysUnavailable {
                context.logger.error("cannot verify tokens", metadata: ["error": "\(unavailable)"])
                throw APIError.serviceUnavailable("tokens cannot be verified right now; try again shortly")
            }
            context.logger[metadataKey: "user"] = "\(context.caller!.username)"
        }
        return try await next(request, context)
    }
}
