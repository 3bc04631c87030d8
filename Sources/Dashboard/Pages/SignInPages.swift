import Foundation
import Hummingbird
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// Sign-in (paste a token; in the local stack, a development sign-in that
/// mints one for a username) and sign-out.
struct SignInPages: Sendable {
    let context: DashboardContext
    /// How long a development sign-in lasts.
    static let devLifetime = 8 * 3600

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("sign-in") { request, _ in showForm(request) }
        group.post("sign-in") { request, _ in await signIn(request) }
        group.post("dev-sign-in") { request, _ in await devSignIn(request) }
        group.post("sign-out") { request, _ in await signOut(request) }
    }

    private func showForm(_ request: Request, flash: Flash? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let (value, cookie) = context.session.signInValue(request)
        var response = context.renderer.page(
            "sign-in", title: "Sign in", section: "none", viewer: nil,
            values: ["sign_in_csrf": value, "next": Self.next(request.uri.queryParameters.get("next"))],
            flash: flash, status: status)
        if let cookie { response.setCookie(cookie) }
        return response
    }

    /// Reads a sign-in form whose CSRF value matches its cookie's.
    private func fields(_ request: Request) async throws -> FormFields? {
        let fields = try await FormFields.read(request)
        guard let expected = request.cookies[DashboardSession.signInCookie]?.value,
            DashboardSession.matches(fields["csrf"], expected)
        else { return nil }
        return fields
    }

    private func signIn(_ request: Request) async -> Response {
        guard let fields = try? await fields(request) else {
            return showForm(request, flash: .error("The sign-in form expired; try again."), status: .forbidden)
        }
        guard let token = fields["token"] else { return showForm(request, flash: .error("Paste a token to sign in.")) }
        do {
            _ = try await context.session.verifier.caller(fromToken: token)
        } catch {
            return showForm(request, flash: .error("That token is not valid: \(error)"), status: .unauthorized)
        }
        return PageRenderer.redirect(
            Self.next(fields["next"]), cookies: [context.session.sessionCookie(token, lifetime: Self.devLifetime)])
    }

    private func devSignIn(_ request: Request) async -> Response {
        guard context.devSignIn else { return Response(status: .notFound) }
        guard let fields = try? await fields(request) else {
            return showForm(request, flash: .error("The sign-in form expired; try again."), status: .forbidden)
        }
        let username: Username
        do {
            username = try Username(fields["username"] ?? "", field: "username")
        } catch {
            return showForm(request, flash: .error("\(error.field) \(error.message)"), status: .badRequest)
        }
        guard let token = try? await context.session.verifier.token(
            username: username, scopes: [.imageRead, .imageWrite, .namespaceRead, .namespaceWrite],
            lifetime: TimeInterval(Self.devLifetime))
        else {
            return showForm(request, flash: .error("Development sign-in needs a shared secret."), status: .badRequest)
        }
        return PageRenderer.redirect(
            Self.next(fields["next"]), cookies: [context.session.sessionCookie(token, lifetime: Self.devLifetime)])
    }

    private func signOut(_ request: Request) async -> Response {
        // Signing out needs no CSRF check: the worst a forged one does is sign the viewer out.
        PageRenderer.redirect("/ui/sign-in", cookies: [context.session.endedCookie()])
    }

    /// Where to go after signing in: a dashboard path only, never another site.
    static func next(_ requested: String?) -> String {
        guard let requested, requested.hasPrefix("/ui/"), !requested.hasPrefix("//"), !requested.contains("\\"),
            !requested.contains("://")
        else { return "/ui/images" }
        return requested
    }
}
