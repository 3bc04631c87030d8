import ArgumentParser
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOFileSystem
import RegistryAPI

/// `imagectl pull`: downloads an image version's QCOW2 file, resuming a
/// download that broke off (in this run or an earlier one) with `Range`
/// and `If-Range` on the image's digest, and checks the whole file's
/// SHA-256 before it takes the file's name.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull", abstract: "Download an image version's QCOW2 file, resuming and verifying it.",
        discussion: """
            The bytes go to FILE.part until every one is in and the file's SHA-256 is the image's; \
            then FILE.part becomes FILE. Run the same command again after an interruption: it asks \
            only for the bytes it lacks.

            Example: imagectl pull 0193a8c2-… --output builder.qcow2
            """)

    @Argument(help: "The image version's id.")
    var id: String

    @Option(name: .shortAndLong, help: "Where to write the file.")
    var output: String

    @Option(help: "How many times in a row a broken download is tried again.")
    var retries: Int = 10

    @Flag(help: "Print no progress, only the result.")
    var quiet = false

    @OptionGroup var connection: Connection

    func run() async throws {
        let reader = try connection.reader()
        let image = try await reader.send(.GET, "/v1/images/\(UploadCommand.escaped(id))").decode(ImageResource.self)
        let partial = output + ".part"
        let progress = ProgressBar(total: image.size, style: .choose(quiet: quiet))
        var failures = 0
        while true {
            let have = try await FileSystem.shared.info(forFileAt: FilePath(partial))?.size ?? 0
            progress.show(sent: have, of: image.size)
            if have >= image.size { break }
            do {
                try await fetch(from: reader, image: image, into: partial, from: have, progress: progress)
                failures = 0
            } catch let failure as ConnectionFailure {
                failures += 1
                guard failures <= retries else {
                    throw CommandFailure("\(failure.description); run again to go on", status: .temporary)
                }
                try await Task.sleep(for: .seconds(min(30, 1 << min(failures - 1, 5))))
            }
        }
        progress.finish()
        let digest = try await UploadCommand.sha256(of: partial)
        guard digest == image.sha256 else {
            _ = try? await FileSystem.shared.removeItem(at: FilePath(partial), strategy: .platformDefault, recursively: false)
            throw CommandFailure(
                "the downloaded file has sha256:\(digest), not the image's sha256:\(image.sha256); removed it, pull again",
                status: .invalidImage)
        }
        _ = try? await FileSystem.shared.removeItem(at: FilePath(output), strategy: .platformDefault, recursively: false)
        try await FileSystem.shared.moveItem(at: FilePath(partial), to: FilePath(output))
        print("\(output): \(image.name) v\(image.version) sha256:\(digest)")
    }

    /// Appends the bytes from `offset` to `partial`; a server that sends
    /// the whole file instead (another version, no ranges) starts it again.
    private func fetch(
        from reader: RegistryClient, image: ImageResource, into partial: String, from offset: Int64, progress: ProgressBar
    ) async throws {
        var headers = ["Accept": "application/x-qemu-disk"]
        if offset > 0 {
            headers["Range"] = "bytes=\(offset)-"
            headers["If-Range"] = "\"sha256:\(image.sha256)\""
        }
        try await reader.download("/v1/images/\(image.id.uuidString.lowercased())/disk", headers: headers) { status, body in
            let start: Int64
            switch status {
            case 206 where offset > 0:
                start = offset
            case 200:
                start = 0
                progress.show(sent: 0, of: image.size)
            case 500...599:
                throw ConnectionFailure(description: "the registry answered \(status)")
            default:
                throw CommandFailure(
                    "the registry answered \(status) for the image's file", status: ExitStatus(httpStatus: status, code: nil))
            }
            try await FileSystem.shared.withFileHandle(
                forWritingAt: FilePath(partial), options: .modifyFile(createIfNecessary: true)
            ) { handle in
                try await handle.resize(to: .bytes(start))
                var writer = handle.bufferedWriter(startingAtAbsoluteOffset: start)
                do {
                    for try await chunk in body {
                        try await writer.write(contentsOf: chunk)
                        progress.advance(by: chunk.readableBytes)
                    }
                    try await writer.flush()
                } catch {
                    // What arrived stays for the next try.
                    try? await writer.flush()
                    throw ConnectionFailure(description: "the download broke off: \(error)")
                }
            }
        }
    }
}
