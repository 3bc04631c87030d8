import ArgumentParser
import Foundation
import RegistryAuth
import RegistryDomain

/// Where the registry is and how to authenticate, from flags or the environment.
///
/// `IMAGE_REGISTRY_URL` is the base URL for everything (a load balancer
/// routes writes and reads). `IMAGE_REGISTRY_QUERY_URL` sends reads
/// elsewhere. Without either, writes go to the local ingest (127.0.0.1:8080)
/// and reads to the local projector (127.0.0.1:8081).
struct Connection: ParsableArguments {
    @Option(help: "Base URL of the registry (or IMAGE_REGISTRY_URL).")
    var url: String?

    @Option(help: "Base URL for reads, when they go elsewhere (or IMAGE_REGISTRY_QUERY_URL).")
    var queryURL: String?

    @Option(help: "Bearer token (or IMAGE_REGISTRY_TOKEN); without one, a token is minted from IMAGE_REGISTRY_JWT_SECRET.")
    var token: String?

    @Option(help: "Username of a minted token.")
    var user = "registry"

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    func writer(scopes: [Scope]) async throws -> RegistryClient {
        RegistryClient(
            baseURL: url ?? environment["IMAGE_REGISTRY_URL"] ?? "http://127.0.0.1:8080",
            token: try await bearer(scopes: scopes))
    }

    func reader(scopes: [Scope]) async throws -> RegistryClient {
        RegistryClient(
            baseURL: queryURL ?? environment["IMAGE_REGISTRY_QUERY_URL"] ?? url ?? environment["IMAGE_REGISTRY_URL"]
                ?? "http://127.0.0.1:8081",
            token: try await bearer(scopes: scopes))
    }

    private func bearer(scopes: [Scope]) async throws -> String {
        if let token = token ?? environment["IMAGE_REGISTRY_TOKEN"] { return token }
        guard let secret = environment["IMAGE_REGISTRY_JWT_SECRET"] else {
            throw CommandFailure("set IMAGE_REGISTRY_TOKEN (or IMAGE_REGISTRY_JWT_SECRET to mint one)")
        }
        return try await TokenVerifier(hmacSecret: secret).token(username: Username(user), scopes: scopes, lifetime: 3600)
    }
}
