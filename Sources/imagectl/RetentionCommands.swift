import ArgumentParser
import Foundation
import NIOHTTP1
import RegistryAPI
import RegistryDomain

/// `imagectl retention`: a namespace's retention policy, previewed or applied.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention", abstract: "Preview or apply a namespace's retention policy.",
        discussion: """
            Set the policy with imagectl namespace update NAMESPACE --keep-newest N --keep-resolved-days D \\
            --keep-pinned-days P. A version any rule keeps stays, and the newest version of each name always \\
            stays. apply removes exactly what preview lists, recording why in the audit trail.
            """,
        subcommands: [Preview.self, Apply.self])

    static let columns: [Column<RetentionResource.Item>] = [
        Column("ID") { $0.imageID.uuidString.lowercased() },
        Column("NAME") { $0.name },
        Column("VERSION") { String($0.version) },
        Column("REASON") { $0.reason },
    ]

    /// Sends `method` to `path` plus the namespace and prints the versions answered.
    static func show(
        _ client: RegistryClient, _ method: HTTPMethod, _ path: String, _ namespace: String, _ output: OutputOptions
    ) async throws {
        let answer = try await client.send(method, path + UploadCommand.escaped(namespace))
            .decode(RetentionResource.self)
        try output.print(answer.items, columns: columns)
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the versions the policy would remove now, and why.",
            discussion: "Example: imagectl retention preview ci@alice")

        @Argument(help: "The namespace: path@owner.") var namespace: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.reader()
            try await RetentionCommand.show(client, .GET, "/v1/retention/preview?namespace=", namespace, output)
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the versions the policy removes now (one image-deleted each, with the reason).",
            discussion: "Example: imagectl retention apply ci@alice")

        @Argument(help: "The namespace: path@owner.") var namespace: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.writer()
            try await RetentionCommand.show(client, .POST, "/v1/retention?wait=true&namespace=", namespace, output)
        }
    }
}
