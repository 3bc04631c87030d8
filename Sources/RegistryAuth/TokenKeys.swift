import Foundation

/// How tokens are checked: a shared HS256 secret (the default), a public
/// key (EdDSA or RS256, PEM), or the JSON Web Key Set the identity provider
/// publishes (RS256, ES256 or EdDSA keys, picked by each token's `kid`, so
/// the provider may rotate them).
public enum TokenKeys: Sendable {
    case sharedSecret(String)
    case publicKey(pem: String)
    case jwks(URL)
}

/// What a token must say besides a valid signature, expiry and username.
public struct TokenRequirements: Sendable, Equatable {
    /// The `iss` a token must carry, when set.
    public var issuer: String?
    /// A value the token's `aud` must contain, when set.
    public var audience: String?

    public init(issuer: String? = nil, audience: String? = nil) {
        self.issuer = issuer
        self.audience = audience
    }

    /// Throws ``TokenRejected`` unless `claims` meet every requirement.
    func check(_ claims: RegistryClaims) throws(TokenRejected) {
        if let issuer, claims.iss?.value != issuer {
            throw TokenRejected(reason: "token was not issued by \(issuer)")
        }
        if let audience, !(claims.aud?.value.contains(audience) ?? false) {
            throw TokenRejected(reason: "token is not meant for \(audience)")
        }
    }
}

/// The keys that verify tokens cannot be loaded now (the identity
/// provider's key set is unreachable and none was loaded before). The
/// HTTP services answer 503: the token may well be valid.
public struct TokenKeysUnavailable: Error, Sendable, CustomStringConvertible {
    public let reason: String

    public var description: String { reason }
}
