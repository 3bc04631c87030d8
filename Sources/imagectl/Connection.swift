import ArgumentParser
import Foundation

/// Where the registry is and which token to send, from flags, the
/// environment or a context of the config file, in that order.
///
/// `IMAGE_REGISTRY_URL` (or a context's `url`) is the base URL for
/// everything (a load balancer routes writes and reads);
/// `IMAGE_REGISTRY_QUERY_URL` (`query-url`) sends reads elsewhere. Without
/// either, writes go to the local ingest (127.0.0.1:8080) and reads to the
/// local projector (127.0.0.1:8081). The token comes from `--token`,
/// `--token-file`, `IMAGE_REGISTRY_TOKEN`, `IMAGE_REGISTRY_TOKEN_FILE`, or the
/// context's `token-file` or `token-command` (a credential helper whose
/// output is the token); without one, requests go without a token.
struct Connection: ParsableArguments {
    @Option(help: "Base URL of the registry (or IMAGE_REGISTRY_URL).")
    var url: String?

    @Option(help: "Base URL for reads, when they go elsewhere (or IMAGE_REGISTRY_QUERY_URL).")
    var queryURL: String?

    @Option(help: "Bearer token (or IMAGE_REGISTRY_TOKEN).")
    var token: String?

    @Option(help: "A file holding the bearer token (or IMAGE_REGISTRY_TOKEN_FILE).")
    var tokenFile: String?

    @Option(help: "The config file's context to use (or IMAGECTL_CONTEXT; default: its current-context).")
    var context: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// A client of the write side (the ingest service, or the balancer).
    func writer() throws -> RegistryClient {
        let chosen = try chosenContext()
        return RegistryClient(
            baseURL: url ?? environment["IMAGE_REGISTRY_URL"] ?? chosen?.url ?? "http://127.0.0.1:8080",
            token: try bearer(chosen))
    }

    /// A client of the read side (the projector, or the balancer).
    func reader() throws -> RegistryClient {
        let chosen = try chosenContext()
        let base = queryURL ?? environment["IMAGE_REGISTRY_QUERY_URL"] ?? chosen?.queryURL ?? url
            ?? environment["IMAGE_REGISTRY_URL"] ?? chosen?.url ?? "http://127.0.0.1:8081"
        return RegistryClient(baseURL: base, token: try bearer(chosen))
    }

    private func chosenContext() throws -> ImagectlConfig.Context? {
        let config = try ImagectlConfig.load()
        let name = context ?? environment["IMAGECTL_CONTEXT"] ?? config.currentContext
        guard let name else { return nil }
        guard let found = config.contexts[name] else {
            if context == nil, environment["IMAGECTL_CONTEXT"] == nil { return nil }
            throw CommandFailure("no context \"\(name)\" in \(ImagectlConfig.path.path) (imagectl login --context \(name) …)")
        }
        return found
    }

    private func bearer(_ chosen: ImagectlConfig.Context?) throws -> String? {
        if let token { return token }
        if let tokenFile { return try Self.read(tokenFile) }
        if let token = environment["IMAGE_REGISTRY_TOKEN"] { return token }
        if let file = environment["IMAGE_REGISTRY_TOKEN_FILE"] { return try Self.read(file) }
        if let file = chosen?.tokenFile { return try Self.read(file) }
        if let command = chosen?.tokenCommand { return try CredentialHelper.token(from: command) }
        return nil
    }

    private static func read(_ file: String) throws -> String {
        guard let text = try? String(contentsOfFile: (file as NSString).expandingTildeInPath, encoding: .utf8) else {
            throw CommandFailure("cannot read the token file \(file)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A context's `token-command`: run by `/bin/sh -c`; its standard output,
/// trimmed, is the token.
enum CredentialHelper {
    static func token(from command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure("the token command \"\(command)\" failed with status \(process.terminationStatus)", status: .refused)
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
