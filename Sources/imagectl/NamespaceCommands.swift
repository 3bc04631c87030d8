import ArgumentParser
import Foundation
import RegistryAPI
import RegistryDomain

/// `imagectl namespace`: create, change and delete namespaces.
struct NamespaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "namespace", abstract: "Show, create, change or delete a namespace.",
        subcommands: [NamespaceShow.self, Create.self, Update.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a namespace of your own (its missing parents too).",
            discussion: "Example: imagectl namespace create team/infra --visibility internal")

        @Argument(help: "The path, such as team/infra.") var path: String
        @Option(help: "private, internal or public.") var visibility: String?
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.writer()
            let namespace = try await client.send(
                .POST, "/v1/namespaces?wait=true", json: CreateNamespaceRequest(path: path, visibility: visibility)
            ).decode(NamespaceResource.self, expecting: [200, 201])
            print("\(namespace.reference)  \(namespace.visibility.rawValue)")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a namespace's visibility (for it and every namespace below it), description or policy.",
            discussion: """
                --revoked-fallback true makes a build that asks for an image by name whose newest version is \
                revoked get the newest version that is not; false (the default) answers 410 Gone.

                Example: imagectl namespace update team@alice --visibility public --description 'Team images'
                """)

        @Argument(help: "The namespace: path@owner.") var namespace: String
        @Option(help: "private, internal or public.") var visibility: String?
        @Option(help: "A description; empty clears it.") var description: String?
        @Option(help: "true or false: fall back past revoked versions.") var revokedFallback: Bool?
        @Option(help: "Retention: keep the newest N versions of each name.") var keepNewest: Int?
        @Option(help: "Retention: keep versions created or resolved within D days.") var keepResolvedDays: Int?
        @Option(help: "Retention: keep versions pinned by digest within D days.") var keepPinnedDays: Int?
        @Flag(help: "Remove the retention policy (keep every version).") var noRetention = false
        @OptionGroup var connection: Connection

        /// The policy the flags give; `nil` when they give none.
        private var retention: RetentionPolicy? {
            if noRetention { return RetentionPolicy() }
            guard keepNewest != nil || keepResolvedDays != nil || keepPinnedDays != nil else { return nil }
            return RetentionPolicy(keepNewest: keepNewest, keepResolvedDays: keepResolvedDays, keepPinnedDays: keepPinnedDays)
        }

        func run() async throws {
            let client = try connection.writer()
            let changed = try await client.send(
                .PATCH, try NamespaceAddress(namespace).path + "?wait=true",
                json: UpdateNamespaceRequest(
                    visibility: visibility, description: description, revokedFallback: revokedFallback,
                    retention: retention)
            ).decode(NamespaceResource.self, expecting: [200])
            print("\(changed.reference)  \(changed.visibility.rawValue)  \(changed.description)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a namespace, every namespace below it and their image versions.",
            discussion: "The audit trail keeps them. Example: imagectl namespace delete scratch@alice")

        @Argument(help: "The namespace: path@owner.") var namespace: String
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.writer()
            let deleted = try await client.send(.DELETE, try NamespaceAddress(namespace).path)
                .decode(NamespaceResource.self, expecting: [200])
            print("\(deleted.reference): deleted")
        }
    }
}

/// A namespace named `path@owner` on the command line, and its API path.
struct NamespaceAddress {
    let owner: String
    let namespacePath: String

    init(_ text: String) throws {
        guard let at = text.lastIndex(of: "@"), at != text.startIndex, text.index(after: at) != text.endIndex else {
            throw ValidationError("name the namespace as path@owner (got \"\(text)\")")
        }
        owner = String(text[text.index(after: at)...])
        namespacePath = String(text[..<at])
    }

    /// `/v1/namespaces/{owner}/{path}`.
    var path: String {
        let segments = [owner] + namespacePath.split(separator: "/").map(String.init)
        return "/v1/namespaces/" + segments.map { UploadCommand.escaped($0) }.joined(separator: "/")
    }
}
/// `imagectl namespace show`: one namespace.
struct NamespaceShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one namespace (its collaborators, to those who manage it).",
        discussion: "Example: imagectl namespace show team@alice -o yaml")

    @Argument(help: "The namespace: path@owner.") var namespace: String
    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: Connection

    func run() async throws {
        let found = try await connection.reader().send(.GET, try NamespaceAddress(namespace).path)
            .decode(NamespaceResource.self)
        try output.print(found, columns: [
            Column("NAMESPACE") { $0.reference },
            Column("VISIBILITY") { $0.visibility.rawValue },
            Column("COLLABORATORS") { ($0.collaborators ?? []).joined(separator: ",") },
            Column("DESCRIPTION") { $0.description },
        ])
    }
}
