import Foundation
import HTTPTypes
import Hummingbird
import RegistryAPI
import RegistryDomain

/// An error answered as `{"error": {"code": "...", "message": "..."}}` with
/// the matching status.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var headers: HTTPFields = [:]
    /// The body's `details`, for errors a script acts on.
    public var details: JSONValue?

    public init(
        status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:], details: JSONValue? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.details = details
    }

    public static func badRequest(_ message: String, code: String = "bad_request") -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }

    public static func invalidName(_ error: NameError) -> APIError {
        badRequest(error.description, code: "invalid_field")
    }

    public static func unauthorized(_ message: String) -> APIError {
        APIError(status: .unauthorized, code: "unauthorized", message: message,
                 headers: [.wwwAuthenticate: "Bearer realm=\"image-registry\""])
    }

    public static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: message)
    }

    public static func payloadTooLarge(_ message: String) -> APIError {
        APIError(status: .contentTooLarge, code: "payload_too_large", message: message)
    }

    public static func unsupportedMediaType(_ message: String) -> APIError {
        APIError(status: .unsupportedMediaType, code: "unsupported_media_type", message: message)
    }

    /// 403: the caller may see the resource but not do this to it.
    public static func forbidden(_ message: String, code: String) -> APIError {
        APIError(status: .forbidden, code: code, message: message)
    }

    /// 409: the request contradicts the state it would change.
    public static func conflict(_ message: String, code: String, details: JSONValue? = nil) -> APIError {
        APIError(status: .conflict, code: code, message: message, details: details)
    }

    /// 422: the request is well formed but cannot be carried out as sent.
    public static func unprocessable(_ message: String, code: String) -> APIError {
        APIError(status: .unprocessableContent, code: code, message: message)
    }

    public static func invalidImage(_ message: String) -> APIError {
        APIError(status: .unprocessableContent, code: "invalid_image", message: message)
    }

    public static func serviceUnavailable(_ message: String, retryAfterSeconds: Int = 5) -> APIError {
        APIError(status: .serviceUnavailable, code: "unavailable", message: message,
                 headers: [.retryAfter: String(retryAfterSeconds)])
    }

    public static func gatewayTimeout(_ message: String) -> APIError {
        APIError(status: .gatewayTimeout, code: "position_not_reached", message: message)
    }

    public static func internalError() -> APIError {
        APIError(status: .internalServerError, code: "internal", message: "internal error")
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try EditedResponse(status: status, headers: headers, response: ErrorResource(code: code, message: message, details: details))
            .response(from: request, context: context)
    }
}
