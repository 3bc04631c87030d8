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

extension TestClientProtocol {
    /// Uploads `file` as a raw disk body to `uri` (`/v1/images?name=…`) and
    /// decodes the JSON answer.
    func upload(
        _ file: URL, _ uri: String, token: String, contentType: String = "application/x-qemu-disk"
    ) async throws -> JSONAnswer {
        let response = try await executeRequest(
            uri: uri, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: contentType],
            body: ByteBuffer(bytes: try Data(contentsOf: file)))
        let body = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return JSONAnswer(status: response.status, headers: response.headers, body: body)
    }
}
