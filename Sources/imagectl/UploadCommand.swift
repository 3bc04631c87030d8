import ArgumentParser
import Crypto
import Foundation
import NIOFileSystem
import RegistryAPI

/// `imagectl upload`: sends a QCOW2 file through a resumable upload
/// session, chunk by chunk, with a progress bar on a terminal. A dropped
/// connection (or a replica going away) is retried from the bytes the
/// registry stored; an upload a run left unfinished goes on in the next
/// run for the same file (`--resume` insists on that).
struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload", abstract: "Upload a QCOW2 v3 image, resuming after a dropped connection.",
        discussion: """
            The file is hashed first, then sent in chunks to an upload session; the registry checks \
            the whole file, and its digest, once every chunk is in. If the connection drops, the next \
            chunk starts where the registry's bytes end, on whichever replica answers; a later run \
            for the same file and name goes on with the same session.

            Example: imagectl upload disk.qcow2 --name builder --namespace team --wait
            """)

    @Argument(help: "The QCOW2 file.")
    var file: String

    @Option(help: "Image name (letters, digits, '_' and '-').")
    var name: String

    @Option(help: "Namespace: path or path@owner.")
    var namespace: String?

    @Flag(help: "Wait until the image is visible to queries.")
    var wait = false

    @Flag(help: "Only go on with an upload an earlier run left unfinished; fail when there is none.")
    var resume = false

    @Option(help: "Chunk size in MiB.")
    var chunkMebibytes: Int = 64

    @Option(help: "How many times in a row a failed chunk is tried again.")
    var retries: Int = 10

    @Flag(help: "Print no progress, only the result.")
    var quiet = false

    @OptionGroup var connection: Connection

    func validate() throws {
        guard chunkMebibytes >= 1 else { throw ValidationError("--chunk-mebibytes must be at least 1") }
        guard retries >= 0 else { throw ValidationError("--retries must not be negative") }
    }

    func run() async throws {
        guard let info = try await FileSystem.shared.info(forFileAt: FilePath(file)), info.type == .regular else {
            throw CommandFailure("\(file): no such file")
        }
        let size = info.size
        let digest = try await Self.sha256(of: file)
        let writer = try connection.writer()
        let reader = try connection.reader()
        let state = UploadState(server: writer.baseURL, file: file, size: size, digest: digest, name: name, namespace: namespace)
        var session: UploadSessionResource
        if let id = state.load(), let earlier = try? await reader.send(.GET, "/v1/uploads/\(id)").decode(UploadSessionResource.self) {
            session = earlier
            if !quiet {
                FileHandle.standardError.write(Data("\(name): going on with upload \(id) at byte \(earlier.offset)\n".utf8))
            }
        } else {
            if resume { throw CommandFailure("\(file): no unfinished upload of it to go on with") }
            session = try await writer.send(
                .POST, "/v1/uploads",
                json: CreateUploadRequest(name: name, namespace: namespace, sha256: digest, size: size)
            ).decode(UploadSessionResource.self, expecting: [201])
            state.save(session.id.uuidString.lowercased())
        }
        let progress = ProgressBar(total: size, style: .choose(quiet: quiet))
        progress.show(sent: session.offset, of: size)
        var offset = session.offset
        var failures = 0
        while offset < size {
            let end = min(offset + Int64(chunkMebibytes) << 20, size)
            do {
                let answer = try await writer.patch(
                    session.location, file: file, range: offset..<end, total: size, sent: { progress.advance(by: $0) })
                switch answer.status {
                case 202:
                    offset = try answer.decode(UploadSessionResource.self, expecting: [202]).offset
                    failures = 0
                case 409, 416, 500...599:
                    throw ConnectionFailure(description: answer.errorMessage)
                default:
                    if [404, 413, 422].contains(answer.status) { state.remove() }
                    throw answer.failure(name)
                }
            } catch let failure as ConnectionFailure {
                failures += 1
                guard failures <= retries else {
                    throw CommandFailure("\(name): \(failure.description); run again to go on", status: .temporary)
                }
                try await Task.sleep(for: .seconds(min(30, 1 << min(failures - 1, 5))))
                if let current = try? await reader.send(.GET, session.location).decode(UploadSessionResource.self) {
                    offset = current.offset
                }
                progress.show(sent: offset, of: size)
            }
        }
        progress.finish()
        let query = "?digest=sha256:\(digest)" + (wait ? "&wait=true" : "")
        // The registry reads the whole file before it answers: no short limit.
        let answer = try await writer.send(.PUT, session.location + query, timeout: .hours(1))
        if answer.status != 503 { state.remove() }
        if answer.status == 202 {
            let event = try answer.decode(AcceptedResource.self, expecting: [202]).event
            print("\(name): recorded \(event.type.rawValue) at \(event.position) (use --wait for the stored image)")
        } else {
            let image = try answer.decode(ImageResource.self, expecting: [200, 201])
            print("\(name): version \(image.version) sha256:\(image.sha256) \(image.location)")
        }
    }

    /// The file's SHA-256, read in 1 MiB chunks.
    static func sha256(of file: String) async throws -> String {
        var hasher = SHA256()
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(file)) { handle in
            for try await chunk in handle.readChunks(chunkLength: .mebibytes(1)) {
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+", "@"])) ?? text
    }
}

/// Where `imagectl upload` remembers an unfinished upload session, so a
/// later run for the same file, name and registry goes on with it:
/// `$XDG_CACHE_HOME/imagectl/uploads/` (or `~/.cache/…`).
struct UploadState {
    let path: URL

    init(server: String, file: String, size: Int64, digest: String, name: String, namespace: String?) {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        let identity = [server, URL(fileURLWithPath: file).standardizedFileURL.path, String(size), digest, name, namespace ?? ""]
            .joined(separator: "\u{0}")
        let key = SHA256.hash(data: Data(identity.utf8)).map { String(format: "%02x", $0) }.joined()
        path = cache.appendingPathComponent("imagectl/uploads/\(key)")
    }

    /// The session id an earlier run saved.
    func load() -> String? {
        (try? String(contentsOf: path, encoding: .utf8)).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { UUID(uuidString: $0) == nil ? nil : $0 }
    }

    func save(_ id: String) {
        try? FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? id.write(to: path, atomically: true, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(at: path)
    }
}
