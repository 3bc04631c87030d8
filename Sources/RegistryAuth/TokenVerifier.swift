import Foundation
import JWTKit
import RegistryDomain

/// How tokens are checked: a shared HS256 secret (the default), or a public
/// key (EdDSA or RS256, PEM) for production, where only the issuer holds
/// the private key.
public enum TokenKeys: Sendable {
    case sharedSecret(String)
    case publicKey(pem: String)
}

/// Checks bearer tokens and, with a shared secret, mints them (for
/// development and tests).
public struct TokenVerifier: Sendable {
    private let keys: JWTKeyCollection
    private let verified = VerifiedTokens()

    /// Verifies and signs with HMAC-SHA256 using `secret`.
    public init(hmacSecret secret: String) async {
        keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    /// Verifies with `keys`; a public key that is neither Ed25519 nor RSA is refused.
    public init(keys: TokenKeys) async throws {
        switch keys {
        case .sharedSecret(let secret):
            await self.init(hmacSecret: secret)
        case .publicKey(let pem):
            if let key = try? EdDSA.PublicKey(pem: pem) {
                self.init(keyCollection: await JWTKeyCollection().add(eddsa: key))
            } else if let key = try? Insecure.RSA.PublicKey(pem: pem) {
                self.init(keyCollection: await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256))
            } else {
                throw TokenKeyError.unreadablePublicKey
            }
        }
    }

    /// Verifies with keys that are already set up (for example a test's key pair).
    public init(keyCollection: JWTKeyCollection) {
        keys = keyCollection
    }

    /// The caller a token stands for; throws ``TokenRejected`` when it is not valid.
    public func caller(fromToken token: String) async throws -> Caller {
        if let known = verified.caller(for: token) { return known }
        let claims: RegistryClaims
        do {
            claims = try await keys.verify(token, as: RegistryClaims.self)
        } catch {
            throw TokenRejected(reason: "token is not valid or has expired")
        }
        guard let username = try? Username(claims.username, field: "username") else {
            throw TokenRejected(reason: "token has no valid username claim")
        }
        let scopes = Set(claims.scope.split(separator: " ").compactMap { Scope(rawValue: String($0)) })
        let caller = Caller(subject: claims.sub.value, username: username, scopes: scopes)
        verified.remember(caller, for: token, expires: claims.exp.value)
        return caller
    }

    /// Signs a token for `username` with `scopes`, valid for `lifetime` seconds.
    public func token(username: Username, subject: String? = nil, scopes: [Scope], lifetime: TimeInterval = 3600)
        async throws -> String
    {
        let claims = RegistryClaims(
            subject: subject ?? username.value, username: username.value, scopes: scopes,
            expires: Date().addingTimeInterval(lifetime))
        return try await keys.sign(claims)
    }
}

/// A verification key that cannot be used.
public enum TokenKeyError: Error, CustomStringConvertible {
    case unreadablePublicKey

    public var description: String {
        "IMAGE_REGISTRY_JWT_PUBLIC_KEY_FILE must hold an Ed25519 or RSA public key in PEM form"
    }
}

/// A bearer token that does not stand for a caller: badly signed, expired,
/// or without a valid username. The HTTP services answer it with 401.
public struct TokenRejected: Error, Sendable, CustomStringConvertible {
    public let reason: String

    public var description: String { reason }
}
