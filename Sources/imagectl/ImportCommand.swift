import ArgumentParser
import Foundation
import RegistryAPI

/// `imagectl import`: asks the registry to download an image itself, then
/// follows the import until it ends, with a progress bar on a terminal.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import a QCOW2 v3 image by download (the registry fetches the URL).",
        discussion: """
            The registry downloads the URL itself, checks the bytes as it checks an upload, and \
            resumes the download on another replica if the one doing it stops. user:password@ in \
            the URL is sent as basic auth and never shown again.

            Example: imagectl import https://images.example.com/debian-12.qcow2 --name debian --namespace team
            """)

    @Argument(help: "The http:// or https:// URL of the image.")
    var downloadURL: String

    @Option(help: "Image name (letters, digits, '_' and '-').")
    var name: String

    @Option(help: "Namespace: path or path@owner.")
    var namespace: String?

    @Option(help: "The sha256 the bytes must have; the import fails otherwise.")
    var sha256: String?

    @Flag(help: "Answer once the import is recorded, without following it.")
    var noWait = false

    @Flag(help: "Print no progress, only the result.")
    var quiet = false

    @OptionGroup var connection: Connection

    func run() async throws {
        let writer = try connection.writer()
        let answer = try await writer.send(
            .POST, "/v1/imports",
            json: ImportImageRequest(name: name, namespace: namespace, downloadURL: downloadURL, sha256: sha256))
        var current = try answer.decode(ImportResource.self, expecting: [202])
        let event = try answer.decode(AcceptedResource.self, expecting: [202]).event
        guard !noWait else {
            return print("\(name): import \(current.id.uuidString.lowercased()) recorded at \(event.position)")
        }
        let reader = try connection.reader()
        let progress = ProgressBar(total: 0, style: .choose(quiet: quiet))
        let path = "/v1/imports/\(current.id.uuidString.lowercased())?after=\(event.position)"
        while !current.hasEnded {
            try await Task.sleep(for: .seconds(1))
            current = try await reader.send(.GET, path).decode(ImportResource.self)
            progress.show(sent: current.bytes, of: current.totalBytes ?? current.bytes)
        }
        progress.finish()
        guard let image = current.image, current.status == "done" else {
            let status: ExitStatus = switch current.error?.code {
            case "invalid_image", "digest_mismatch": .invalidImage
            case "download_failed": .temporary
            default: .refused
            }
            throw CommandFailure("\(name): import failed: \(current.error?.message ?? current.status)", status: status)
        }
        print("\(name): version \(image.version) sha256:\(image.sha256) (\(current.bytes) bytes downloaded)")
    }
}

/// `imagectl imports`: your imports, newest first, and one import.
struct ImportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imports", abstract: "List your imports by download, or show one.",
        discussion: "Example: imagectl imports; imagectl imports --id 0193a8c2-… -o json")

    @Option(help: "Show only this import.") var id: String?
    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: Connection

    static let columns: [Column<ImportResource>] = [
        Column("ID") { $0.id.uuidString.lowercased() },
        Column("NAME") { $0.name },
        Column("STATUS") { $0.status },
        Column("BYTES") { String($0.bytes) },
        Column("URL") { $0.downloadURL },
        Column("ERROR") { $0.error?.message ?? "" },
    ]

    func run() async throws {
        let reader = try connection.reader()
        if let id {
            let found = try await reader.send(.GET, "/v1/imports/\(UploadCommand.escaped(id))").decode(ImportResource.self)
            return try output.print(found, columns: Self.columns)
        }
        try output.print(
            try await Listing.all(reader, path: "/v1/imports", query: [], of: ImportResource.self), columns: Self.columns)
    }
}
