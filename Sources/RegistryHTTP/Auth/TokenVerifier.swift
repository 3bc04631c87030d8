import Foundation
import JWTKit
import RegistryDomain

/// Checks bearer tokens and mints them (for development and tests).
///
/// HS256 with the shared secret `IMAGE_REGISTRY_JWT_SECRET` is the default.
public struct TokenVerifier: Sendable {
    private let keys: JWTKeyCollection

    /// Verifies and signs with HMAC-SHA256 using `secret`.
    public init(hmacSecret secret: String) async {
        keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    /// The caller a token stands for; throws ``APIError`` 401 when it is not valid.
    public func caller(fromToken token: String) async throws -> Caller {
        let claims: RegistryClaims
        do {
            claims = try await keys.verify(token, as: RegistryClaims.self)
        } catch {
            throw APIError.unauthorized("token is not valid or has expired")
        }
        guard let username = try? Username(claims.username, field: "username") else {
            throw APIError.unauthorized("token has no valid username claim")
        }
        let scopes = Set(claims.scope.split(separator: " ").compactMap { Scope(rawValue: String($0)) })
        return Caller(subject: claims.sub.value, username: username, scopes: scopes)
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
