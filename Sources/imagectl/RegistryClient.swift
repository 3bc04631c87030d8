import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFileSystem
import NIOFoundationCompat
import NIOHTTP1
import RegistryAPI

/// A small client of the registry's HTTP API, speaking its own request and
/// resource types (`RegistryAPI`).
struct RegistryClient: Sendable {
    let baseURL: String
    let token: String?

    /// An answer: its status and body.
    struct Answer: Sendable {
        let status: Int
        let body: Data

        /// The server's error message, or the status when the body is no error.
        var errorMessage: String {
            (try? RegistryJSON.decoder().decode(ErrorResource.self, from: body))?.error.message ?? "HTTP \(status)"
        }

        /// The server's error code (`invalid_image`, `not_found` …), when it sent one.
        var errorCode: String? {
            (try? RegistryJSON.decoder().decode(ErrorResource.self, from: body))?.error.code
        }

        /// The failure this answer stands for, with what to do and its exit status.
        func failure(_ subject: String? = nil) -> CommandFailure {
            let advice = ExitStatus.advice(httpStatus: status).map { " (\($0))" } ?? ""
            return CommandFailure(
                (subject.map { "\($0): " } ?? "") + errorMessage + advice,
                status: ExitStatus(httpStatus: status, code: errorCode))
        }

        /// The body as `Resource` when the status is one of `statuses`; otherwise a failure naming the server's error.
        func decode<Resource: Decodable>(_ type: Resource.Type, expecting statuses: Set<Int> = [200]) throws -> Resource {
            guard statuses.contains(status) else { throw failure() }
            do {
                return try RegistryJSON.decoder().decode(type, from: body)
            } catch {
                throw CommandFailure("the registry answered something unexpected: \(error)")
            }
        }
    }

    /// Sends a request with no body, waiting for its answer at most `timeout`.
    func send(
        _ method: HTTPMethod, _ path: String, headers: [String: String] = [:], timeout: TimeAmount = .seconds(60)
    ) async throws -> Answer {
        var request = try makeRequest(method, path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await execute(request, timeout: timeout)
    }

    /// Sends `body` as JSON.
    func send(_ method: HTTPMethod, _ path: String, json body: some Encodable, headers: [String: String] = [:])
        async throws -> Answer
    {
        var request = try makeRequest(method, path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try RegistryJSON.encoder().encode(body)))
        return try await execute(request, timeout: .seconds(60))
    }

    /// Streams a file as the body, reporting each chunk to `sent` as it leaves.
    func upload(_ path: String, file: String, contentType: String, sent: @escaping @Sendable (Int) -> Void)
        async throws -> Answer
    {
        guard let info = try await FileSystem.shared.info(forFileAt: FilePath(file)), info.type == .regular else {
            throw CommandFailure("\(file): no such file")
        }
        var request = try makeRequest(.POST, path)
        request.headers.add(name: "Content-Type", value: contentType)
        return try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(file)) { handle in
            let chunks = handle.readChunks(chunkLength: .mebibytes(1)).map { chunk in
                sent(chunk.readableBytes)
                return chunk
            }
            request.body = .stream(chunks, length: .known(info.size))
            return try await execute(request, timeout: .hours(4))
        }
    }

    /// Streams bytes `range` of a file as the body of a `PATCH` (an upload
    /// session's chunk), with its `Content-Range`.
    func patch(
        _ path: String, file: String, range: Range<Int64>, total: Int64, sent: @escaping @Sendable (Int) -> Void
    ) async throws -> Answer {
        var request = try makeRequest(.PATCH, path)
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.headers.add(name: "Content-Range", value: "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(total)")
        return try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(file)) { handle in
            let chunks = handle.readChunks(in: range, chunkLength: .mebibytes(1)).map { chunk in
                sent(chunk.readableBytes)
                return chunk
            }
            request.body = .stream(chunks, length: .known(range.upperBound - range.lowerBound))
            return try await execute(request, timeout: .hours(4))
        }
    }

    /// Sends a `GET` and hands the answer's status and streaming body to
    /// `receive`, with no time limit on the body.
    func download(
        _ path: String, headers: [String: String],
        _ receive: (Int, HTTPClientResponse.Body) async throws -> Void
    ) async throws {
        var request = try makeRequest(.GET, path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, deadline: .distantFuture)
        } catch {
            throw ConnectionFailure(description: "cannot reach \(baseURL): \(error)")
        }
        try await receive(Int(response.status.code), response.body)
    }

    private func makeRequest(_ method: HTTPMethod, _ path: String) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL.trimmingSuffix("/") + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return request
    }

    private func execute(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> Answer {
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw ConnectionFailure(description: "\(baseURL) did not answer within \(timeout.nanoseconds / 1_000_000_000) s")
        } catch {
            throw ConnectionFailure(description: "cannot reach \(baseURL): \(error)")
        }
        let data: ByteBuffer
        do {
            data = try await response.body.collect(upTo: 16 << 20)
        } catch {
            throw ConnectionFailure(description: "the connection to \(baseURL) broke: \(error)")
        }
        return Answer(status: Int(response.status.code), body: Data(buffer: data))
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

/// A failure reported as one line on standard error, ending the command
/// with `status`.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    let status: ExitStatus

    init(_ description: String, status: ExitStatus = .usage) {
        self.description = description
        self.status = status
    }
}

/// The registry could not be reached, or the connection broke: worth
/// trying again.
struct ConnectionFailure: Error, CustomStringConvertible {
    let description: String
}
