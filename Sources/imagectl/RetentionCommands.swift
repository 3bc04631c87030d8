import ArgumentParser
import Foundation
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

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the versions the policy would remove now, and why.",
            discussion: "Example: imagectl retention preview ci@alice")

        @Argument(help: "The namespace: path@owner.") var namespace: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: Connection

        func run() async throws {
            let preview = try await connection.reader()
                .send(.GET, "/v1/retention/preview?namespace=\(UploadCommand.escaped(namespace))")
                .decode(RetentionResource.self)
            try output.print(preview.items, columns: RetentionCommand.columns)
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
            let applied = try await connection.writer()
                .send(.POST, "/v1/retention?namespace=\(UploadCommand.escaped(namespace))&wait=true")
                .decode(RetentionResource.self)
            try output.print(applied.items, columns: RetentionCommand.columns)
        }
    }
}
