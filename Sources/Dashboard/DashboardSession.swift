import Crypto
import Foundation
import Hummingbird
import RegistryAuth
import RegistryDomain

/// The signed-in viewer of a page: the token the session cookie holds and
/// who it stands for.
struct SignedIn: Sendable {
    let token: String
    let caller: Caller
    /// The value every form of this session must carry (``DashboardSession/csrfToken(for:)``).
    let csrf: String

    var username: String { caller.username.value }
    var isAdministrator: Bool { caller.has(.registryAdmin) }
}

/// Sessions: the bearer token lives in an HttpOnly, SameSite=Strict cookie
/// scoped to `/ui`, so page scripts never see it and other sites cannot
/// send it; each form carries a CSRF token derived from the session's
/// token, so a form posted from elsewhere (without the cookie's value) is
/// refused even where SameSite is not honoured. Sign-in forms, before any
/// session, use a random value in a cookie of their own (double submit).
struct DashboardSession: Sendable {
    static let cookie = "registry_session"
    static let signInCookie = "registry_signin"
    static let path = "/ui"

    let verifier: TokenVerifier
    /// Marks cookies `Secure` (the dashboard is reached over HTTPS).
    let secureCookies: Bool

    /// The viewer the request's session cookie names; `nil` without one,
    /// or when its token is no longer valid.
    func signedIn(_ request: Request) async -> SignedIn? {
        guard let token = request.cookies[Self.cookie]?.value, !token.isEmpty,
            let caller = try? await verifier.caller(fromToken: token)
        else { return nil }
        return SignedIn(token: token, caller: caller, csrf: Self.csrfToken(for: token))
    }

    /// The CSRF token of a session: a digest of its bearer token, so it
    /// needs no storage and is known only to those who hold the token.
    static func csrfToken(for token: String) -> String {
        SHA256.hash(data: Data("image-registry-dashboard-csrf\u{0}\(token)".utf8))
            .map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `presented` is the session's CSRF token, compared in constant time.
    static func matches(_ presented: String?, _ expected: String) -> Bool {
        guard let presented, presented.utf8.count == expected.utf8.count else { return false }
        return zip(presented.utf8, expected.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The cookie that starts a session holding `token` for `lifetime`.
    func sessionCookie(_ token: String, lifetime: Int) -> Cookie {
        Cookie(
            name: Self.cookie, value: token, maxAge: lifetime, path: Self.path, secure: secureCookies, httpOnly: true,
            sameSite: .strict)
    }

    /// The cookie that ends the session.
    func endedCookie() -> Cookie {
        Cookie(name: Self.cookie, value: "", maxAge: 0, path: Self.path, secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// The sign-in form's own CSRF value: the request's, or a new one to set.
    func signInValue(_ request: Request) -> (value: String, cookie: Cookie?) {
        if let value = request.cookies[Self.signInCookie]?.value, value.utf8.count == 32 { return (value, nil) }
        let value = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return (value, Cookie(
            name: Self.signInCookie, value: value, maxAge: 3600, path: Self.path, secure: secureCookies, httpOnly: true,
            sameSite: .strict))
    }
}
