import ArgumentParser
import Foundation

/// `imagectl login`: checks a token against the registry, stores it
/// (readable by its owner only) and makes the context current.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Store a token for a registry, once the registry accepts it.",
        discussion: """
            The token is read from standard input (or --token) and checked by asking the registry for \
            your imports; it is kept in ~/.config/imagectl/tokens/<context>, and the context (its URLs \
            and the token's file) in ~/.config/imagectl/config.yaml, where a token-command (a \
            credential helper) may replace the file.

            Example: pass show registry | imagectl login https://registry.example.com --context production
            """)

    @Argument(help: "Base URL of the registry (the balancer).")
    var url: String

    @Option(help: "Base URL for reads, when they go elsewhere.")
    var queryURL: String?

    @Option(help: "The context's name.")
    var context = "default"

    @Option(help: "The token (default: read from standard input).")
    var token: String?

    func run() async throws {
        let bearer = token ?? (readLine(strippingNewline: true) ?? "")
        guard !bearer.isEmpty else { throw CommandFailure("no token given: pass --token or pipe it to standard input") }
        let reader = RegistryClient(baseURL: queryURL ?? url, token: bearer)
        let answer = try await reader.send(.GET, "/v1/imports?limit=1")
        guard answer.status == 200 else { throw answer.failure("the registry refused the token") }
        let tokens = ImagectlConfig.directory.appendingPathComponent("tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: tokens.path)
        let file = tokens.appendingPathComponent(context)
        guard FileManager.default.createFile(
            atPath: file.path, contents: Data(bearer.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CommandFailure("cannot write \(file.path)") }
        var config = try ImagectlConfig.load()
        config.contexts[context] = ImagectlConfig.Context(url: url, queryURL: queryURL, tokenFile: file.path)
        config.currentContext = context
        try config.save()
        print("logged in to \(url) as context \(context)")
    }
}

/// `imagectl logout`: forgets a context's stored token.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "Forget a context's stored token.",
        discussion: "Example: imagectl logout --context production")

    @Option(help: "The context's name (default: the current one).")
    var context: String?

    func run() async throws {
        var config = try ImagectlConfig.load()
        guard let name = context ?? config.currentContext, var chosen = config.contexts[name] else {
            throw CommandFailure("no such context", status: .notFound)
        }
        if let file = chosen.tokenFile { try? FileManager.default.removeItem(atPath: file) }
        chosen.tokenFile = nil
        config.contexts[name] = chosen
        try config.save()
        print("logged out of context \(name)")
    }
}

/// `imagectl context`: the config file's contexts.
struct ContextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context", abstract: "List the config file's contexts, or choose the current one.",
        subcommands: [List.self, Use.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the contexts; * marks the current one.", discussion: "Example: imagectl context list")

        @OptionGroup var output: OutputOptions

        struct Row: Encodable {
            let name: String
            let current: Bool
            let url: String
            let queryURL: String?

            enum CodingKeys: String, CodingKey {
                case name, current, url
                case queryURL = "query_url"
            }
        }

        func run() async throws {
            let config = try ImagectlConfig.load()
            let rows = config.contexts.keys.sorted().map { name in
                Row(name: name, current: name == config.currentContext, url: config.contexts[name]?.url ?? "",
                    queryURL: config.contexts[name]?.queryURL)
            }
            try output.print(rows, columns: [
                Column("CURRENT") { $0.current ? "*" : "" },
                Column("NAME") { $0.name },
                Column("URL") { $0.url },
                Column("QUERY URL") { $0.queryURL ?? "" },
            ])
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a context the current one.", discussion: "Example: imagectl context use production")

        @Argument(help: "The context's name.") var name: String

        func run() async throws {
            var config = try ImagectlConfig.load()
            guard config.contexts[name] != nil else {
                throw CommandFailure("no context \"\(name)\" (imagectl login --context \(name) …)", status: .notFound)
            }
            config.currentContext = name
            try config.save()
            print("using context \(name)")
        }
    }
}
