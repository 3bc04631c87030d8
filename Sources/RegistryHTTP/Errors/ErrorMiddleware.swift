import Hummingbird
import Logging
import ReadModel

/// Makes every failure an ``APIError`` JSON answer: framework errors keep
/// their status, a database that cannot be reached becomes 503, anything
/// unexpected becomes a logged 500 that reveals nothing.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            throw APIError(status: error.status, code: Self.code(for: error.status),
                           message: error.body ?? error.status.reasonPhrase)
        } catch let error where ReadModelUnavailable.covers(error) {
            context.logger.error("read model unreachable", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError.serviceUnavailable("the read model is not reachable")
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError.internalError()
        }
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .contentTooLarge: "payload_too_large"
        case .methodNotAllowed: "method_not_allowed"
        default: status.code < 500 ? "bad_request" : "internal"
        }
    }
}
