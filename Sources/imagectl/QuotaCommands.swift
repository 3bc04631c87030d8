import ArgumentParser
import Foundation
import RegistryAPI

/// `imagectl quota`: show a quota and its usage, or (administrators) set one.
struct QuotaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quota", abstract: "Show or set a quota: a root namespace's tree, or everything a user owns.",
        discussion: """
            Physical usage counts each stored digest once in the scope, which is what max-bytes caps; logical \\
            usage counts every version. Uploads and imports past a quota answer 413 (exit status 3) with the \\
            quota and the usage.
            """,
        subcommands: [Show.self, Set.self])

    /// `--namespace root@owner` or `--user name`.
    struct ScopeOptions: ParsableArguments {
        @Option(help: "A root namespace: root@owner.") var namespace: String?
        @Option(help: "A user: everything they own.") var user: String?

        var query: String {
            get throws {
                switch (namespace, user) {
                case (let namespace?, nil): "namespace=\(UploadCommand.escaped(namespace))"
                case (nil, let user?): "user=\(UploadCommand.escaped(user))"
                default: throw CommandFailure("name the scope with --namespace root@owner or --user name, one of them")
                }
            }
        }
    }

    static let columns: [Column<QuotaResource>] = [
        Column("SCOPE") { $0.namespace ?? "user \($0.owner)" },
        Column("MAX BYTES") { $0.maxBytes.map(String.init) ?? "" },
        Column("PHYSICAL") { String($0.usage.physicalBytes) },
        Column("LOGICAL") { String($0.usage.logicalBytes) },
        Column("IN FLIGHT") { String($0.usage.inFlightBytes) },
        Column("MAX VERSIONS") { $0.maxVersions.map(String.init) ?? "" },
        Column("VERSIONS") { String($0.usage.versions) },
    ]

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a quota and its scope's usage.", discussion: "Example: imagectl quota show --namespace team@alice")

        @OptionGroup var scope: ScopeOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: Connection

        func run() async throws {
            let quota = try await connection.reader().send(.GET, "/v1/quotas?\(try scope.query)")
                .decode(QuotaResource.self)
            try output.print(quota, columns: QuotaCommand.columns)
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a quota (administrators); neither limit removes it.",
            discussion: "Example: imagectl quota set --namespace team@alice --max-bytes 500000000000 --max-versions 200")

        @OptionGroup var scope: ScopeOptions
        @Option(help: "Bytes of distinct stored digests.") var maxBytes: Int64?
        @Option(help: "Live versions.") var maxVersions: Int?
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: Connection

        func run() async throws {
            let quota = try await connection.writer()
                .send(.PUT, "/v1/quotas?\(try scope.query)&wait=true",
                      json: SetQuotaRequest(maxBytes: maxBytes, maxVersions: maxVersions))
                .decode(QuotaResource.self)
            try output.print(quota, columns: QuotaCommand.columns)
        }
    }
}
