import ArgumentParser
import Foundation
import NIOHTTP1
import RegistryAPI
import RegistryDomain

/// `imagectl retention`: a retention policy (a namespace's, or the
/// deployment's default for a user's personal images), previewed or applied.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention", abstract: "Preview or apply a retention policy: a namespace's, or the default for personal images.",
        discussion: """
            Set the policy with imagectl namespace update NAMESPACE --keep-newest N --keep-resolved-days D \\
            --keep-pinned-days P. A version any rule keeps stays, and the newest version of each name always \\
            stays. apply removes exactly what preview lists, recording why in the audit trail. \
            With --user NAME instead of a namespace, NAME's personal images follow the deployment's default \
            policy (IMAGE_REGISTRY_PERSONAL_RETENTION).
            """,
        subcommands: [Preview.self, Apply.self])

    static let columns: [Column<RetentionResource.Item>] = [
        Column("ID") { $0.imageID.uuidString.lowercased() },
        Column("NAME") { $0.name },
        Column("VERSION") { String($0.version) },
        Column("REASON") { $0.reason },
    ]

    /// Sends `method` to `path` with the target's query and prints the versions answered.
    static func show(
        _ client: RegistryClient, _ method: HTTPMethod, _ path: String, _ target: Target, _ output: OutputOptions
    ) async throws {
        let answer = try await client.send(method, path + target.query).decode(RetentionResource.self)
        try output.print(answer.items, columns: columns)
    }

    /// What a policy looks after: a namespace, or `--user`'s personal images.
    struct Target: ParsableArguments {
        @Argument(help: "The namespace: path@owner.") var namespace: String?
        @Option(help: "A user whose personal images follow the default policy, instead of a namespace.")
        var user: String?

        func validate() throws {
            guard (namespace == nil) != (user == nil) else {
                throw ValidationError("name a namespace or --user NAME, one of them")
            }
        }

        var query: String {
            if let user { return "user=" + UploadCommand.escaped(user) }
            return "namespace=" + UploadCommand.escaped(namespace ?? "")
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the versions the policy would remove now, and why.",
            discussion: "Example: imagectl retention preview ci@alice, or imagectl retention preview --user alice")

        @OptionGroup var target: Target
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.reader()
            try await RetentionCommand.show(client, .GET, "/v1/retention/preview?", target, output)
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the versions the policy removes now (one image-deleted each, with the reason).",
            discussion: "Example: imagectl retention apply ci@alice, or imagectl retention apply --user alice")

        @OptionGroup var target: Target
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.writer()
            try await RetentionCommand.show(client, .POST, "/v1/retention?wait=true&", target, output)
        }
    }
}
