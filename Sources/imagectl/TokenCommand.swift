import ArgumentParser
import Foundation
import RegistryAuth
import RegistryDomain

/// `imagectl token`: mints a development token signed with the shared secret.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print a bearer token signed with IMAGE_REGISTRY_JWT_SECRET (for development and tests).")

    @Option(help: "The username the token acts for.")
    var user: String

    @Option(help: "Space-separated scopes: \(Scope.allCases.map(\.rawValue).joined(separator: " ")).")
    var scope = "image:read image:write namespace:read namespace:write"

    @Option(help: "Lifetime in seconds.")
    var lifetime: Int = 3600

    func run() async throws {
        guard let secret = ProcessInfo.processInfo.environment["IMAGE_REGISTRY_JWT_SECRET"], !secret.isEmpty else {
            throw ValidationError("IMAGE_REGISTRY_JWT_SECRET must be set to the services' secret")
        }
        let username = try Username(user)
        var scopes: [Scope] = []
        for name in scope.split(separator: " ") {
            guard let parsed = Scope(rawValue: String(name)) else {
                throw ValidationError("unknown scope \(name)")
            }
            scopes.append(parsed)
        }
        let verifier = await TokenVerifier(hmacSecret: secret)
        print(try await verifier.token(username: username, scopes: scopes, lifetime: TimeInterval(lifetime)))
    }
}
