import Hummingbird
import NIOCore

/// A posted `multipart/form-data` body, pulled from the request as it is
/// needed: the fields before a file, then the file's bytes as the upload
/// that sends them on reads them, so a large file is never held whole and
/// the browser is slowed to the pace ingest takes the bytes.
///
/// `@unchecked Sendable`: one request's body is read by one task at a time
/// (the page handler, then the upload it starts and awaits), never by two.
final class MultipartFormStream: @unchecked Sendable {
    private var body: RequestBody.AsyncIterator
    private var reader: MultipartFormReader
    private var queued: [MultipartFormReader.Event] = []
    private var ended = false

    init(_ request: Request) throws {
        reader = try MultipartFormReader(contentType: request.headers[.contentType] ?? "")
        body = request.body.makeAsyncIterator()
    }

    /// The next event of the form; `nil` once it has ended.
    func next() async throws -> MultipartFormReader.Event? {
        while queued.isEmpty {
            guard !ended else { return nil }
            if let chunk = try await body.next() {
                queued = try reader.feed(chunk.readableBytesView)
            } else {
                try reader.finish()
                ended = true
            }
        }
        return queued.removeFirst()
    }

    /// The bytes of the file part that just started, to its end.
    var fileBytes: FileBytes { FileBytes(stream: self) }

    struct FileBytes: AsyncSequence, Sendable {
        let stream: MultipartFormStream

        func makeAsyncIterator() -> Iterator { Iterator(stream: stream) }

        struct Iterator: AsyncIteratorProtocol {
            let stream: MultipartFormStream

            mutating func next() async throws -> ByteBuffer? {
                switch try await stream.next() {
                case .fileBytes(let bytes): return ByteBuffer(bytes: bytes)
                case .fileEnd: return nil
                default: throw MultipartFormReader.Malformed(description: "the form ended inside its file")
                }
            }
        }
    }
}
