import ArgumentParser
import Foundation
import RegistryAPI

/// `imagectl upload`: streams a QCOW2 file to the registry, with a progress
/// bar on a terminal.
struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload", abstract: "Upload a QCOW2 v3 image.")

    @Argument(help: "The QCOW2 file.")
    var file: String

    @Option(help: "Image name (letters, digits, '_' and '-').")
    var name: String

    @Option(help: "Namespace: path or path@owner.")
    var namespace: String?

    @Flag(help: "Wait until the image is visible to queries.")
    var wait = false

    @OptionGroup var connection: Connection

    func run() async throws {
        var query = "/v1/images?name=\(Self.escaped(name))"
        if let namespace { query += "&namespace=\(Self.escaped(namespace))" }
        if wait { query += "&wait=true" }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0
        let progress = ProgressBar(total: size, enabled: isatty(STDERR_FILENO) == 1)
        let client = try await connection.writer(scopes: [.imageWrite, .imageRead])
        let answer = try await client.upload(
            query, file: file, contentType: "application/x-qemu-disk", sent: { progress.advance(by: $0) })
        progress.finish()
        if answer.status == 202 {
            let event = try answer.decode(AcceptedResource.self, expecting: [202]).event
            print("\(name): recorded \(event.type.rawValue) at \(event.position) (use --wait for the stored image)")
        } else {
            let image = try answer.decode(ImageResource.self, expecting: [200, 201])
            print("\(name): version \(image.version) sha256:\(image.sha256) \(image.location)")
        }
    }

    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+", "@"])) ?? text
    }
}
