import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RegistryAPI

/// The registry's HTTP API as the dashboard calls it: reads from the
/// projector, writes to ingest, each with the viewer's token. The dashboard
/// holds no rules of its own about who may see or do what: every page shows
/// what the API answers its viewer, and every form is an API command.
struct RegistryAPIClient: Sendable {
    let http: HTTPClient
    /// Where reads go: the projector serving the dashboard.
    let readURL: String
    /// Where writes go: an ingest replica, or the balancer in front of them.
    let writeURL: String

    static let timeout: TimeAmount = .seconds(60)
    /// The longest an upload or a download through the dashboard may take.
    static let transferTimeout: TimeAmount = .hours(24)
    /// The largest API answer read (a page of 100 audit entries is far less).
    static let maximumAnswerBytes = 8 << 20

    /// One answer: its status and its body, read whole.
    struct Answer: Sendable {
        let status: HTTPResponseStatus
        let headers: HTTPHeaders
        let body: ByteBuffer

        /// The body as `T`; a non-2xx answer throws its ``APIFailure``.
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            guard (200..<300).contains(status.code) else { throw APIFailure(self) }
            return try RegistryJSON.decoder().decode(T.self, from: Data(buffer: body))
        }
    }

    /// `GET readURL + path` as the holder of `token`.
    func read(_ path: String, token: String?) async throws -> Answer {
        try await send(.GET, readURL + path, token: token, body: nil)
    }

    /// `GET` of `path`, decoded as `T`.
    func read<T: Decodable>(_ path: String, token: String?, as type: T.Type) async throws -> T {
        try await read(path, token: token).decode(T.self)
    }

    /// A command: `method` on ingest's `path` with `json` as the body (or
    /// none), under a fresh idempotency key, answered once projected.
    func write(_ method: HTTPMethod, _ path: String, token: String, json: [String: any Sendable]? = nil)
        async throws -> Answer
    {
        var body: HTTPClientRequest.Body?
        if let json {
            body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        return try await send(method, writeURL + Self.waiting(path), token: token, body: body)
    }

    /// Streams an upload's bytes to ingest's `path` as they arrive, through
    /// ``UploadRelay`` (the client never reads the request's body itself).
    func upload<Bytes: AsyncSequence & Sendable>(
        _ path: String, token: String, contentType: String, length: Int?, bytes: Bytes
    ) async throws -> Answer where Bytes.Element == ByteBuffer {
        try await UploadRelay.relaying(bytes) { chunks in
            let body = HTTPClientRequest.Body.stream(chunks, length: length.map { .known(Int64($0)) } ?? .unknown)
            return try await send(
                .POST, writeURL + Self.waiting(path), token: token, contentType: contentType, body: body,
                timeout: Self.transferTimeout)
        }
    }

    /// Starts `GET readURL + path` and hands over the answer as it streams
    /// (a disk download), without reading its body.
    func stream(_ path: String, token: String?, headers: HTTPHeaders) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: readURL + path)
        request.headers = headers
        if let token { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)") }
        return try await http.execute(request, timeout: Self.transferTimeout)
    }

    private func send(
        _ method: HTTPMethod, _ url: String, token: String?, contentType: String = "application/json",
        body: HTTPClientRequest.Body?, timeout: TimeAmount = Self.timeout
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if method != .GET {
            request.headers.add(name: "Idempotency-Key", value: UUID().uuidString.lowercased())
            request.headers.add(name: "Content-Type", value: contentType)
        }
        request.body = body
        let response = try await http.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: Self.maximumAnswerBytes)
        return Answer(status: response.status, headers: response.headers, body: bytes)
    }

    private static func waiting(_ path: String) -> String {
        path + (path.contains("?") ? "&" : "?") + "wait=true"
    }
}

/// An API answer that was not a success, with the registry's own message.
struct APIFailure: Error, Sendable {
    let status: HTTPResponseStatus
    let code: String
    let message: String

    init(status: HTTPResponseStatus, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    init(_ answer: RegistryAPIClient.Answer) {
        status = answer.status
        let error = try? RegistryJSON.decoder().decode(ErrorResource.self, from: Data(buffer: answer.body))
        code = error?.error.code ?? "http_\(answer.status.code)"
        message = error?.error.message ?? "the registry answered \(answer.status)"
    }
}
