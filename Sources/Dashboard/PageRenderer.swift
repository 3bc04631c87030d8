import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Renders the dashboard's Mustache templates (`Resources/templates`) as
/// HTML answers. Every page is `layout` around its own template; values
/// are HTML-escaped by Mustache. The one unescaped value is the images
/// page's `rows`, markup ``HTMLWriter`` wrote and escaped itself.
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let devSignIn: Bool

    /// Loads every template of the module's resources.
    static func load(devSignIn: Bool) async throws -> PageRenderer {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("templates").path else {
            throw DashboardSetupError("the dashboard's templates are missing from its resources")
        }
        return PageRenderer(library: try await MustacheLibrary(directory: folder), devSignIn: devSignIn)
    }

    /// Page `template` with `values`, inside the layout; `viewer` fills in
    /// the header, the navigation and every form's CSRF token.
    func page(
        _ template: String, title: String, section: String, viewer: SignedIn?, values: [String: Any] = [:],
        flash: Flash? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        Self.html(
            render(template, title: title, section: section, viewer: viewer, values: values, flash: flash),
            status: status)
    }

    /// The HTML of ``page(_:title:section:viewer:values:flash:status:)``.
    func render(
        _ template: String, title: String, section: String, viewer: SignedIn?, values: [String: Any],
        flash: Flash? = nil
    ) -> String {
        var context = values
        context["title"] = title
        context["section_\(section)"] = true
        context["dev_sign_in"] = devSignIn
        if let viewer {
            context["viewer"] = ["username": viewer.username, "is_admin": viewer.isAdministrator]
            context["csrf"] = viewer.csrf
        }
        if let flash { context["flash"] = ["message": flash.message, "error": flash.isError] }
        return library.render(context, withTemplate: template) ?? "template \(template) is missing"
    }

    /// The 404 page: what the viewer may not see does not exist.
    func notFound(_ message: String, viewer: SignedIn?) -> Response {
        page("not-found", title: "Not found", section: "none", viewer: viewer, values: ["message": message],
             status: .notFound)
    }

    /// An HTML answer that no page of another site may frame, that runs
    /// only the dashboard's own script and style, and that no cache keeps.
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: securityHeaders(contentType: "text/html; charset=utf-8"),
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func securityHeaders(contentType: String) -> HTTPFields {
        [
            .contentType: contentType,
            .cacheControl: "no-store",
            HTTPField.Name("Content-Security-Policy")!:
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "same-origin",
        ]
    }

    /// `303 See Other` to `location` (after a form, and for sign-in).
    static func redirect(_ location: String, cookies: [Cookie] = []) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }
}

/// A one-line message at the top of a page.
struct Flash: Sendable {
    let message: String
    let isError: Bool

    static func error(_ message: String) -> Flash { Flash(message: message, isError: true) }
    static func notice(_ message: String) -> Flash { Flash(message: message, isError: false) }
}

/// The dashboard cannot start: its resources are missing.
struct DashboardSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
