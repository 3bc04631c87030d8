import Crypto
import Foundation
import JWTKit
import RegistryAuth
import RegistryDomain
import RegistryHTTP
import Testing

@Suite("Bearer tokens")
struct TokenVerifierTests {
    static let secret = String(repeating: "k", count: 32)
    static let claims = RegistryClaims(
        subject: "u-1", username: "alice", scopes: [.imageRead, .imageResolve], expires: Date().addingTimeInterval(60))

    @Test("a shared-secret token gives its user and scopes; unknown scopes are dropped")
    func sharedSecret() async throws {
        let verifier = await TokenVerifier(hmacSecret: Self.secret)
        var claims = Self.claims
        claims.scope += " image:explode"
        let token = try await JWTKeyCollection().add(hmac: HMACKey(from: Self.secret), digestAlgorithm: .sha256).sign(claims)
        let caller = try await verifier.caller(fromToken: token)
        #expect(caller.username.value == "alice")
        #expect(caller.subject == "u-1")
        #expect(caller.scopes == [.imageRead, .imageResolve])
    }

    @Test("expired, tampered, wrongly signed and malformed tokens are 401")
    func refused() async throws {
        let verifier = await TokenVerifier(hmacSecret: Self.secret)
        let expired = try await verifier.token(username: Username("alice"), scopes: [.imageRead], lifetime: -1)
        let other = try await TokenVerifier(hmacSecret: String(repeating: "x", count: 32))
            .token(username: Username("alice"), scopes: [.imageRead])
        let good = try await verifier.token(username: Username("alice"), scopes: [.imageRead])
        var parts = good.split(separator: ".").map(String.init)
        parts[1] = Data(#"{"sub":"x","username":"root","scope":"registry:admin","exp":9999999999}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "=", with: "")
        let tampered = parts.joined(separator: ".")
        for token in [expired, other, tampered, "", "a.b.c", "not-a-token"] {
            await #expect(throws: TokenRejected.self, "\(token.prefix(20))") { try await verifier.caller(fromToken: token) }
        }
        let noneAlgorithm = "eyJhbGciOiJub25lIn0." + parts[1] + "."
        await #expect(throws: TokenRejected.self) { try await verifier.caller(fromToken: noneAlgorithm) }
    }

    @Test("a token verified before is still refused once it expires")
    func rememberedTokenExpires() async throws {
        let verifier = await TokenVerifier(hmacSecret: Self.secret)
        let token = try await verifier.token(username: Username("alice"), scopes: [.imageRead], lifetime: 1.5)
        #expect(try await verifier.caller(fromToken: token).username.value == "alice")
        #expect(try await verifier.caller(fromToken: token).scopes == [.imageRead], "the remembered answer")
        try await Task.sleep(for: .seconds(2))
        await #expect(throws: TokenRejected.self) { try await verifier.caller(fromToken: token) }
    }

    @Test("production mode checks tokens with an Ed25519 public key only")
    func ed25519PublicKey() async throws {
        let privateKey = Curve25519.Signing.PrivateKey()
        let spkiPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
        let pem = "-----BEGIN PUBLIC KEY-----\n"
            + Data(spkiPrefix + Array(privateKey.publicKey.rawRepresentation)).base64EncodedString()
            + "\n-----END PUBLIC KEY-----\n"
        let verifier = try await TokenVerifier(keys: .publicKey(pem: pem))
        let issuer = await JWTKeyCollection().add(eddsa: EdDSA.PrivateKey(backing: privateKey))
        let caller = try await verifier.caller(fromToken: try await issuer.sign(Self.claims))
        #expect(caller.username.value == "alice")

        let sharedSecretToken = try await TokenVerifier(hmacSecret: Self.secret)
            .token(username: Username("alice"), scopes: [.registryAdmin])
        await #expect(throws: TokenRejected.self) { try await verifier.caller(fromToken: sharedSecretToken) }
    }

    @Test("a public key that is not Ed25519 or RSA is refused at start")
    func unreadableKey() async {
        await #expect(throws: TokenKeyError.self) {
            try await TokenVerifier(keys: .publicKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
        }
    }
}
