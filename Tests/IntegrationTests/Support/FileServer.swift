import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFileSystem
import Synchronization

/// A real HTTP file server on 127.0.0.1 that imports download from, as a
/// build server or an object store would: `GET /files/{name}` serves a file
/// with a strong `ETag`, `Accept-Ranges` and `Range` (`bytes=N-`, honoured
/// only while `If-Range` still names the file), optionally behind basic
/// auth and at a limited rate; `GET /redirect/{hops}/{name}` redirects
/// `hops` times before reaching the file, and `GET /away/{url}` redirects
/// to any URL. It keeps each request it answered.
final class FileServer: Sendable {
    struct Seen: Sendable {
        let path: String
        let range: String?
        let ifRange: String?
        let authorization: String?
    }

    struct Options: Sendable {
        /// `user:password` the files need, if any.
        var credentials: String?
        /// Bytes per second each response may send (none: as fast as it can).
        var bytesPerSecond: Int?
        /// Whether responses say their length (`Content-Length`); without
        /// it the body is sent chunked and its size is known only at its end.
        var announcesLength = true
    }

    private final class State: Sendable {
        let seen = Mutex<[Seen]>([])
        let sent = Mutex<Int64>(0)
    }

    let port: Int
    private let state = State()
    private let task: Task<Void, any Error>

    init(serving directory: URL, options: Options = Options()) async throws {
        let port = try FreePort.find()
        self.port = port
        let state = self.state
        let router = Router()
        router.get("files/:name") { request, context -> Response in
            let name = try context.parameters.require("name")
            let headers = request.headers
            state.seen.withLock {
                $0.append(Seen(
                    path: request.uri.path, range: headers[.range], ifRange: headers[HTTPField.Name("If-Range")!],
                    authorization: headers[.authorization]))
            }
            if let credentials = options.credentials,
                headers[.authorization] != "Basic " + Data(credentials.utf8).base64EncodedString()
            {
                return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"files\""])
            }
            let file = directory.appendingPathComponent(name)
            guard !name.contains("/"), let size = try await FileSystem.shared.info(forFileAt: FilePath(file.path))?.size
            else { return Response(status: .notFound) }
            let tag = "\"\(name)-\(size)\""
            var start: Int64 = 0
            if let range = headers[.range], range.hasPrefix("bytes="), range.hasSuffix("-"),
                headers[HTTPField.Name("If-Range")!] == tag, let offset = Int64(range.dropFirst(6).dropLast()),
                offset < size
            {
                start = offset
            }
            let from = start
            var fields: HTTPFields = [.eTag: tag, .acceptRanges: "bytes", .contentType: "application/octet-stream"]
            if start > 0 { fields[.contentRange] = "bytes \(start)-\(size - 1)/\(size)" }
            let send: @Sendable (inout any ResponseBodyWriter) async throws -> Void = { writer in
                try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(file.path)) { handle in
                    for try await chunk in handle.readChunks(in: from..<size, chunkLength: .kibibytes(256)) {
                        try await writer.write(chunk)
                        state.sent.withLock { $0 += Int64(chunk.readableBytes) }
                        if let rate = options.bytesPerSecond {
                            try await Task.sleep(for: .milliseconds(Int64(chunk.readableBytes) * 1000 / Int64(rate)))
                        }
                    }
                }
                try await writer.finish(nil)
            }
            let body = options.announcesLength
                ? ResponseBody(contentLength: Int(size - start), send) : ResponseBody(send)
            return Response(status: start > 0 ? .partialContent : .ok, headers: fields, body: body)
        }
        router.get("redirect/:hops/:name") { _, context -> Response in
            let hops = try context.parameters.require("hops", as: Int.self)
            let name = try context.parameters.require("name")
            let next = hops <= 1 ? "/files/\(name)" : "/redirect/\(hops - 1)/\(name)"
            return Response(status: .found, headers: [.location: next])
        }
        router.get("away/**") { request, _ -> Response in
            let target = String(request.uri.path.dropFirst("/away/".count)).removingPercentEncoding ?? ""
            return Response(status: .temporaryRedirect, headers: [.location: target])
        }
        let (running, signal) = AsyncStream.makeStream(of: Void.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { _ in signal.yield() })
        task = Task { try await app.runService() }
        for await _ in running { break }
    }

    /// The URL of file `name`.
    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/files/\(name)" }

    /// Every request for a file, in order.
    var seen: [Seen] { state.seen.withLock { $0 } }

    /// Body bytes sent so far, over all responses.
    var bytesSent: Int64 { state.sent.withLock { $0 } }

    func stop() {
        task.cancel()
    }
}
