import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryAPI

/// A decoded JSON answer.
public struct JSONAnswer: @unchecked Sendable {
    public let status: HTTPResponse.Status
    public let headers: HTTPFields
    public let body: [String: Any]

    public init(status: HTTPResponse.Status, headers: HTTPFields, body: [String: Any]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public subscript(key: String) -> Any? { body[key] }

    /// A nested string value, by path: `string("event", "position")`.
    public func string(_ path: String...) -> String? {
        var value: Any? = body
        for key in path { value = (value as? [String: Any])?[key] }
        return value as? String
    }

    public var errorCode: String? { string("error", "code") }
    public var errorMessage: String? { string("error", "message") }
}

extension TestClientProtocol {
    /// Sends a request and decodes the JSON answer (an empty object when there is none).
    public func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
        contentType: String = "application/json", headers extra: HTTPFields = [:]
    ) async throws -> JSONAnswer {
        let response = try await send(method, uri, token: token, json: json, contentType: contentType, headers: extra)
        let data = Data(buffer: response.body)
        let object = data.isEmpty ? [:] : (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return JSONAnswer(status: response.status, headers: response.headers, body: object)
    }

    /// Sends a request with a bearer token and a JSON body, when given.
    private func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, json: String?, contentType: String = "application/json",
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = contentType }
        return try await executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestClientProtocol {
    /// Uploads `file` as a raw disk body to `uri` (`/v1/images?name=…`) and
    /// decodes the JSON answer.
    public func upload(
        _ file: URL, _ uri: String, token: String, contentType: String = "application/x-qemu-disk"
    ) async throws -> JSONAnswer {
        try await upload(Array(Data(contentsOf: file)), uri, token: token, contentType: contentType)
    }

    /// Sends `bytes` as the body of `uri` (by default a raw disk upload)
    /// and decodes the JSON answer.
    public func upload(
        _ bytes: [UInt8], _ uri: String, method: HTTPRequest.Method = .post, token: String,
        contentType: String = "application/x-qemu-disk", headers extra: HTTPFields = [:]
    ) async throws -> JSONAnswer {
        var headers = extra
        headers[.authorization] = "Bearer \(token)"
        headers[.contentType] = contentType
        let response = try await executeRequest(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: bytes))
        let body = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return JSONAnswer(status: response.status, headers: response.headers, body: body)
    }
}

extension TestClientProtocol {
    /// Sends a request and decodes the answer as one of the API's own types
    /// (`RegistryAPI`), as a client of the registry reads it; fails with the
    /// status and body when the answer is not `expected`.
    public func decode<Resource: Decodable>(
        _ type: Resource.Type, _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
        expecting expected: HTTPResponse.Status = .ok
    ) async throws -> Resource {
        let response = try await send(method, uri, token: token, json: json)
        guard response.status == expected else {
            throw UnexpectedAnswer(status: response.status, body: String(buffer: response.body))
        }
        return try RegistryJSON.decoder().decode(type, from: Data(buffer: response.body))
    }
}

/// An answer with another status than the test expected.
public struct UnexpectedAnswer: Error, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let body: String

    public var description: String { "HTTP \(status.code): \(body)" }
}
