import ArgumentParser
import Foundation
import RegistryAuth
import RegistryDomain

/// `imagectl dev`: what only a development registry needs.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev", abstract: "Development helpers (never needed against a production registry).",
        subcommands: [Token.self])

    /// `imagectl dev token`: mints a token signed with the services' shared
    /// secret, which must be named explicitly: whoever holds it can mint
    /// an administrator's token, so it is never picked up by accident.
    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a bearer token signed with the services' shared secret (development and tests).",
            discussion: """
                The secret is read from the environment variable --secret-env names, or from \
                --secret-file; a registry that checks tokens against an identity provider's keys \
                accepts none of these.

                Example: TOKEN=$(imagectl dev token --user alice --secret-env IMAGE_REGISTRY_JWT_SECRET)
                """)

        @Option(help: "The username the token acts for.")
        var user: String

        @Option(help: "Space-separated scopes: \(Scope.allCases.map(\.rawValue).joined(separator: " ")).")
        var scope = "image:read image:write namespace:read namespace:write"

        @Option(help: "Lifetime in seconds.")
        var lifetime: Int = 3600

        @Option(help: "The environment variable that holds the shared secret.")
        var secretEnv: String?

        @Option(help: "A file that holds the shared secret.")
        var secretFile: String?

        func run() async throws {
            let secret: String
            switch (secretEnv, secretFile) {
            case (let name?, nil):
                guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                    throw ValidationError("\(name) is not set")
                }
                secret = value
            case (nil, let file?):
                guard let value = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw ValidationError("cannot read \(file)")
                }
                secret = value.trimmingCharacters(in: .whitespacesAndNewlines)
            default:
                throw ValidationError("name the shared secret with exactly one of --secret-env and --secret-file")
            }
            let username = try Username(user)
            var scopes: [Scope] = []
            for name in scope.split(separator: " ") {
                guard let parsed = Scope(rawValue: String(name)) else { throw ValidationError("unknown scope \(name)") }
                scopes.append(parsed)
            }
            let verifier = await TokenVerifier(hmacSecret: secret)
            print(try await verifier.token(username: username, scopes: scopes, lifetime: TimeInterval(lifetime)))
        }
    }
}
