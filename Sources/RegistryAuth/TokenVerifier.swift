import Foundation
import JWTKit
import RegistryDomain

/// Checks bearer tokens and, with a shared secret, mints them (for
/// development and tests).
public struct TokenVerifier: Sendable {
    /// Where the verification keys come from.
    private enum Keys: Sendable {
        case fixed(JWTKeyCollection)
        case published(JWKSKeys)
    }

    private let keys: Keys
    private let requirements: TokenRequirements
    private let verified = VerifiedTokens()

    /// Verifies and signs with HMAC-SHA256 using `secret`.
    public init(hmacSecret secret: String, requirements: TokenRequirements = TokenRequirements()) async {
        self.init(
            keyCollection: await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256),
            requirements: requirements)
    }

    /// Verifies with `keys`; a public key that is neither Ed25519 nor RSA is
    /// refused. A key set (``TokenKeys/jwks(_:)``) is fetched with
    /// `download` when first needed.
    public init(
        keys: TokenKeys, requirements: TokenRequirements = TokenRequirements(),
        download: (@Sendable (URL) async throws -> [UInt8])? = nil
    ) async throws {
        switch keys {
        case .sharedSecret(let secret):
            await self.init(hmacSecret: secret, requirements: requirements)
        case .publicKey(let pem):
            if let key = try? EdDSA.PublicKey(pem: pem) {
                self.init(keyCollection: await JWTKeyCollection().add(eddsa: key), requirements: requirements)
            } else if let key = try? Insecure.RSA.PublicKey(pem: pem) {
                self.init(
                    keyCollection: await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256),
                    requirements: requirements)
            } else {
                throw TokenKeyError.unreadablePublicKey
            }
        case .jwks(let url):
            guard let download else { throw TokenKeyError.noDownloader }
            self.init(keySet: url, requirements: requirements, download: download)
        }
    }

    /// Verifies with keys that are already set up (for example a test's key pair).
    public init(keyCollection: JWTKeyCollection, requirements: TokenRequirements = TokenRequirements()) {
        keys = .fixed(keyCollection)
        self.requirements = requirements
    }

    /// Verifies with the key set at `url`, refreshed as `refresh` says.
    init(
        keySet url: URL, requirements: TokenRequirements, refresh: JWKSKeys.Refresh = JWKSKeys.Refresh(),
        download: @escaping @Sendable (URL) async throws -> [UInt8]
    ) {
        keys = .published(JWKSKeys(url: url, refresh: refresh, download: download))
        self.requirements = requirements
    }

    /// The caller a token stands for; throws ``TokenRejected`` when it is
    /// not valid, ``TokenKeysUnavailable`` when it cannot be checked now.
    public func caller(fromToken token: String) async throws -> Caller {
        if let known = verified.caller(for: token) { return known }
        let claims: RegistryClaims
        do {
            switch keys {
            case .fixed(let collection): claims = try await collection.verify(token, as: RegistryClaims.self)
            case .published(let set): claims = try await set.verify(token, as: RegistryClaims.self)
            }
        } catch let unavailable as TokenKeysUnavailable {
            throw unavailable
        } catch {
            throw TokenRejected(reason: "token is not valid or has expired")
        }
        try requirements.check(claims)
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
        guard case .fixed(let collection) = keys else { throw TokenKeyError.cannotSign }
        var claims = RegistryClaims(
            subject: subject ?? username.value, username: username.value, scopes: scopes,
            expires: Date().addingTimeInterval(lifetime))
        claims.iss = requirements.issuer.map { IssuerClaim(value: $0) }
        claims.aud = requirements.audience.map { AudienceClaim(value: [$0]) }
        return try await collection.sign(claims)
    }
}

/// A verification key that cannot be used.
public enum TokenKeyError: Error, CustomStringConvertible {
    case unreadablePublicKey
    /// A key set URL was given without a way to download it.
    case noDownloader
    /// Only a verifier with a shared secret can mint tokens.
    case cannotSign

    public var description: String {
        switch self {
        case .unreadablePublicKey:
            "IMAGE_REGISTRY_JWT_PUBLIC_KEY_FILE must hold an Ed25519 or RSA public key in PEM form"
        case .noDownloader: "a JWKS URL needs a downloader"
        case .cannotSign: "tokens are minted only with a shared secret; the identity provider issues them otherwise"
        }
    }
}

/// A bearer token that does not stand for a caller: badly signed, expired,
/// or without a valid username. The HTTP services answer it with 401.
public struct TokenRejected: Error, Sendable, CustomStringConvertible {
    public let reason: String

    public var description: String { reason }
}
