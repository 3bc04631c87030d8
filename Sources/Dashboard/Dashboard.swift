import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// The web dashboard, served under `/ui` by the projector: images,
/// namespaces, invites, the audit trail and a resolution form, rendered on
/// the server from the registry's own API, with a little JavaScript only
/// for upload progress and live import status.
public struct Dashboard: Sendable {
    /// What the dashboard needs to know about its deployment.
    public struct Configuration: Sendable {
        /// Where pages read: the projector serving them (`http://127.0.0.1:PORT`).
        public var readURL: String
        /// Where forms write: ingest (or the balancer in front of it).
        public var writeURL: String
        /// Whether the sign-in page mints a token for any username: the
        /// local stack's development sign-in, never for production.
        public var devSignIn: Bool
        /// Whether cookies are marked `Secure` (served over HTTPS).
        public var secureCookies: Bool

        /// Where a server listening on `host` is reached from its own
        /// machine: loopback for a wildcard address, the address otherwise
        /// (an IPv6 one in brackets).
        public static func loopback(for host: String) -> String {
            switch host {
            case "", "0.0.0.0", "*": "127.0.0.1"
            case "::", "[::]": "[::1]"
            default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            }
        }

        public init(readURL: String, writeURL: String, devSignIn: Bool = false, secureCookies: Bool = false) {
            self.readURL = readURL
            self.writeURL = writeURL
            self.devSignIn = devSignIn
            self.secureCookies = secureCookies
        }
    }

    let context: DashboardContext

    /// Loads the templates; `verifier` checks session tokens (and, with
    /// development sign-in on, mints them).
    public init(configuration: Configuration, verifier: TokenVerifier, http: HTTPClient) async throws {
        context = DashboardContext(
            renderer: try await PageRenderer.load(devSignIn: configuration.devSignIn),
            session: DashboardSession(verifier: verifier, secureCookies: configuration.secureCookies),
            api: RegistryAPIClient(http: http, readURL: configuration.readURL, writeURL: configuration.writeURL),
            devSignIn: configuration.devSignIn)
    }

    /// Adds every page under `/ui`.
    public func addRoutes(to router: Router<RegistryRequestContext>) {
        let ui = router.group("ui")
        ui.get { _, _ in PageRenderer.redirect("/ui/images") }
        StaticFiles().addRoutes(to: ui)
        SignInPages(context: context).addRoutes(to: ui)
        ImagePages(context: context).addRoutes(to: ui)
        ImportPages(context: context).addRoutes(to: ui)
        NamespacePages(context: context).addRoutes(to: ui)
        InvitePages(context: context).addRoutes(to: ui)
        AuditPages(context: context).addRoutes(to: ui)
        ResolvePages(context: context).addRoutes(to: ui)
    }
}

/// What every page handler uses: templates, sessions and the API.
struct DashboardContext: Sendable {
    let renderer: PageRenderer
    let session: DashboardSession
    let api: RegistryAPIClient
    let devSignIn: Bool

    /// Runs `body` for a signed-in viewer; others go to the sign-in page.
    /// The API's refusals become pages: 404 stays 404, others show the
    /// registry's message with its status.
    func page(_ request: Request, _ body: (SignedIn) async throws -> Response) async -> Response {
        guard let viewer = await session.signedIn(request) else {
            return PageRenderer.redirect("/ui/sign-in?next=" + Formatting.query(request.uri.description))
        }
        return await answering(viewer) { try await body(viewer) }
    }

    /// Runs `body` for a form posted by a signed-in viewer whose CSRF token
    /// matches; a form without it is refused (403) before anything is sent.
    func form(_ request: Request, _ body: (SignedIn, FormFields) async throws -> Response) async -> Response {
        guard let viewer = await session.signedIn(request) else { return PageRenderer.redirect("/ui/sign-in") }
        return await answering(viewer) {
            let fields = try await FormFields.read(request)
            guard DashboardSession.matches(fields["csrf"], viewer.csrf) else { return staleForm(viewer) }
            return try await body(viewer, fields)
        }
    }

    /// The 403 of a form without the session's CSRF token.
    func staleForm(_ viewer: SignedIn) -> Response {
        renderer.page(
            "error", title: "Refused", section: "none", viewer: viewer,
            values: ["message": "This form is stale or came from another site; reload the page and try again."],
            status: .forbidden)
    }

    private func answering(_ viewer: SignedIn, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let failure as APIFailure where failure.status == .notFound {
            return renderer.notFound(failure.message, viewer: viewer)
        } catch let failure as APIFailure {
            return renderer.page(
                "error", title: "Refused", section: "none", viewer: viewer, values: ["message": failure.message],
                status: HTTPResponse.Status(code: Int(failure.status.code)))
        } catch let malformed as MultipartFormReader.Malformed {
            return renderer.page(
                "error", title: "Refused", section: "none", viewer: viewer,
                values: ["message": "The form could not be read: \(malformed.description)."], status: .badRequest)
        } catch let error as HTTPError {
            return renderer.page(
                "error", title: "Refused", section: "none", viewer: viewer,
                values: ["message": error.body ?? "\(error.status)"], status: error.status)
        } catch {
            return renderer.page(
                "error", title: "Unavailable", section: "none", viewer: viewer,
                values: ["message": "The registry could not be reached; try again in a moment."], status: .badGateway)
        }
    }
}
