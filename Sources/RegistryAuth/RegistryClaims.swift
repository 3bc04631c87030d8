import Foundation
import JWTKit

/// The claims of a registry token: `sub` (user id), `username`, `scope`
/// (space-separated scopes) and `exp`.
public struct RegistryClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var username: String
    public var scope: String
    public var exp: ExpirationClaim
    /// Who issued the token; checked when the registry is told its issuer.
    public var iss: IssuerClaim?
    /// Whom the token is for; checked when the registry is told its audience.
    public var aud: AudienceClaim?

    public init(subject: String, username: String, scopes: [Scope], expires: Date) {
        self.sub = SubjectClaim(value: subject)
        self.username = username
        self.scope = scopes.map(\.rawValue).joined(separator: " ")
        self.exp = ExpirationClaim(value: expires)
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
