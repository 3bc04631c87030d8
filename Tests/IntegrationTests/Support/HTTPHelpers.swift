import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryHTTP

/// A decoded JSON answer.
struct JSONAnswer: @unchecked Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: [String: Any]

    subscript(key: String) -> Any? { body[key] }

    /// A nested string value, by path: `string("event", "position")`.
    func string(_ path: String...) -> String? {
        var value: Any? = body
        for key in path { value = (value as? [String: Any])?[key] }
        return value as? String
    }

    var errorCode: String? { string("error", "code") }
    var errorMessage: String? { string("error", "message") }
}

extension TestClientProtocol {
    /// Sends a request and decodes the JSON answer (an empty object when there is none).
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
        contentType: String = "application/json", headers extra: HTTPFields = [:]
    ) async throws -> JSONAnswer {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = contentType }
        let response = try await executeRequest(
            uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let data = Data(buffer: response.body)
        let object = data.isEmpty ? [:] : (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return JSONAnswer(status: response.status, headers: response.headers, body: object)
    }
}
