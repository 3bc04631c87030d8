import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Synchronization
import Testing

@testable import RegistryAuth
@testable import RegistryRuntime

/// Tokens checked against an identity provider's published key set,
/// served by a real HTTP server on 127.0.0.1 and downloaded as the services do.
@Suite struct JWKSVerificationTests {
    /// A signing key of the provider and its public JWK.
    struct ProviderKey {
        let kid: String
        let key = ES256PrivateKey()

        var jwk: String {
            let (x, y) = key.parameters!
            return #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(kid)","x":"\#(x)","y":"\#(y)"}"#
        }

        func token(issuer: String? = "https://id.example", audience: String? = "image-registry") async throws -> String {
            var claims = RegistryClaims(
                subject: "u-1", username: "alice", scopes: [.imageRead], expires: Date().addingTimeInterval(600))
            claims.iss = issuer.map { IssuerClaim(value: $0) }
            claims.aud = audience.map { AudienceClaim(value: [$0]) }
            return try await JWTKeyCollection().add(ecdsa: key, kid: JWKIdentifier(string: kid)).sign(claims, kid: JWKIdentifier(string: kid))
        }
    }

    @Test func keysAreFetchedRotatedAndCachedAndIssuerAndAudienceAreRequired() async throws {
        let (first, second) = (ProviderKey(kid: "k1"), ProviderKey(kid: "k2"))
        let published = Mutex<String?>(#"{"keys":[\#(first.jwk)]}"#)
        let downloads = Atomic<Int>(0)
        let router = Router()
        router.get("jwks") { _, _ -> Response in
            downloads.add(1, ordering: .relaxed)
            guard let body = published.withLock({ $0 }) else { return Response(status: .internalServerError) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        try await Application(router: router).test(.live) { client in
            let port = try #require(client.port)
            let url = try #require(URL(string: "http://127.0.0.1:\(port)/jwks"))
            let verifier = TokenVerifier(
                keySet: url, requirements: TokenRequirements(issuer: "https://id.example", audience: "image-registry"),
                refresh: JWKSKeys.Refresh(maximumAge: .seconds(300), minimumInterval: .zero),
                download: RegistrySettings.downloadKeySet)

            #expect(try await verifier.caller(fromToken: try await first.token()).username.value == "alice")
            await #expect(throws: TokenRejected.self) { try await verifier.caller(fromToken: try await first.token(issuer: "https://evil.example")) }
            await #expect(throws: TokenRejected.self) { try await verifier.caller(fromToken: try await first.token(audience: nil)) }
            // A key the set lacks is refused, even after asking the provider again.
            await #expect(throws: TokenRejected.self) { try await verifier.caller(fromToken: try await second.token()) }
            // The provider rotates: the new key is found by asking again.
            published.withLock { $0 = #"{"keys":[\#(first.jwk),\#(second.jwk)]}"# }
            #expect(try await verifier.caller(fromToken: try await second.token()).username.value == "alice")
            // The provider fails: the keys loaded before stay in use.
            published.withLock { $0 = nil }
            #expect(try await verifier.caller(fromToken: try await first.token(audience: "image-registry")).subject == "u-1")
        }
        #expect(downloads.load(ordering: .relaxed) == 3)
    }

    @Test func unknownKeysDoNotMakeTheReplicaAskTheProviderForEachToken() async throws {
        let key = ProviderKey(kid: "k1")
        let downloads = Atomic<Int>(0)
        let set = Array(#"{"keys":[\#(key.jwk)]}"#.utf8)
        let verifier = TokenVerifier(
            keySet: URL(string: "https://id.example/jwks")!, requirements: TokenRequirements(),
            refresh: JWKSKeys.Refresh(maximumAge: .seconds(300), minimumInterval: .seconds(60))
        ) { _ in
            downloads.add(1, ordering: .relaxed)
            return set
        }
        for index in 0..<20 {
            let stranger = ProviderKey(kid: "made-up-\(index)")
            await #expect(throws: TokenRejected.self) { try await verifier.caller(fromToken: try await stranger.token()) }
        }
        #expect(downloads.load(ordering: .relaxed) == 1)
    }

    @Test func aProviderThatCannotBeReachedAtAllMakesTokensUncheckableNotInvalid() async throws {
        let verifier = TokenVerifier(
            keySet: URL(string: "http://127.0.0.1:1/jwks")!, requirements: TokenRequirements(),
            download: RegistrySettings.downloadKeySet)
        await #expect(throws: TokenKeysUnavailable.self) {
            try await verifier.caller(fromToken: try await ProviderKey(kid: "k1").token())
        }
    }

    @Test func aKeySetURLMustBeHTTPSExceptOnThisMachine() async throws {
        let secret = "a-secret-of-at-least-32-characters-here"
        for bad in ["http://id.example/jwks", "ftp://id.example/jwks", "not a url"] {
            let error = await #expect(throws: (any Error).self) {
                try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_JWT_JWKS_URL": bad])
            }
            #expect("\(error!)".contains("IMAGE_REGISTRY_JWT_JWKS_URL"))
        }
        let settings = try await RegistrySettings.load(environment: [
            "IMAGE_REGISTRY_JWT_JWKS_URL": "https://id.example/jwks", "IMAGE_REGISTRY_JWT_ISSUER": "https://id.example",
            "IMAGE_REGISTRY_JWT_AUDIENCE": "image-registry", "IMAGE_REGISTRY_JWT_SECRET": secret,
        ])
        guard case .jwks(let url) = settings.tokenKeys else { Issue.record("not a key set"); return }
        #expect(url.absoluteString == "https://id.example/jwks")
        #expect(settings.tokenRequirements == TokenRequirements(issuer: "https://id.example", audience: "image-registry"))
        _ = try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_JWT_JWKS_URL": "http://127.0.0.1:9000/jwks"])
    }
}
