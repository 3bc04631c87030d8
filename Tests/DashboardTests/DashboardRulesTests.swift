import Foundation
import RegistryAPI
import RegistryDomain
import Testing

@testable import Dashboard

/// The dashboard's own rules, without a server: where sign-in may send the
/// browser, how forms and CSRF tokens are read, how values are written,
/// and that a hostile name is shown as text, never run as markup.
@Suite struct DashboardRulesTests {
    @Test(arguments: [
        ("/ui/images?namespace=ci", "/ui/images?namespace=ci"), ("/ui/audit", "/ui/audit"),
        ("//evil.example/ui/", "/ui/images"), ("https://evil.example/ui/", "/ui/images"),
        ("/ui/\\\\evil.example", "/ui/images"), ("/v1/images", "/ui/images"), ("", "/ui/images"),
        ("/ui/x?u=https://evil.example", "/ui/images"),
    ])
    func signInGoesBackToADashboardPageOnly(requested: String, expected: String) {
        #expect(SignInPages.next(requested) == expected)
    }

    @Test func formsAreReadAsBrowsersWriteThem() {
        let form = FormFields(parsing: "name=my+image&namespace=team%2Fci%40alice&name=second&empty=&flag&csrf=%20abc%20")
        #expect(form["name"] == "my image", "the first of repeated names counts")
        #expect(form["namespace"] == "team/ci@alice")
        #expect(form["empty"] == nil && form["flag"] == nil && form["missing"] == nil)
        #expect(form["csrf"] == "abc")
        #expect(FormFields(parsing: "bad=%zz")["bad"] == nil, "an undecodable value is no value")
    }

    @Test func aCSRFTokenBelongsToOneSessionAndIsComparedWhole() {
        let token = DashboardSession.csrfToken(for: "session-a")
        #expect(token == DashboardSession.csrfToken(for: "session-a"))
        #expect(token != DashboardSession.csrfToken(for: "session-b"))
        #expect(token.count == 64)
        #expect(DashboardSession.matches(token, token))
        #expect(!DashboardSession.matches(nil, token))
        #expect(!DashboardSession.matches(String(token.dropLast()), token))
        #expect(!DashboardSession.matches(String(token.dropLast()) + "0", token) || token.hasSuffix("0"))
        #expect(!DashboardSession.matches("", token))
    }

    @Test func sizesAndAgesAreWrittenForPeople() {
        #expect(Formatting.size(512) == "512 B")
        #expect(Formatting.size(1536) == "1.5 KiB")
        #expect(Formatting.size(64 << 20) == "64.0 MiB")
        #expect(Formatting.size(20 << 30) == "20.0 GiB")
        #expect(Formatting.size(196_608) == "192.0 KiB")
        #expect(Formatting.size((1 << 30) - 1) == "1024.0 MiB")
        #expect(Formatting.size(1_288_490_189) == "1.2 GiB")
        #expect(Formatting.size(.max) == "8589934592.0 GiB", "the largest size a record may carry")
        #expect(Dashboard.Configuration.loopback(for: "0.0.0.0") == "127.0.0.1")
        #expect(Dashboard.Configuration.loopback(for: "::") == "[::1]")
        #expect(Dashboard.Configuration.loopback(for: "10.1.2.3") == "10.1.2.3")
        #expect(Dashboard.Configuration.loopback(for: "fd00::5") == "[fd00::5]")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(Formatting.age(of: now.addingTimeInterval(-30), now: now) == "just now")
        #expect(Formatting.age(of: now.addingTimeInterval(-60), now: now) == "1 minute ago")
        #expect(Formatting.age(of: now.addingTimeInterval(-3 * 86400 - 5), now: now) == "3 days ago")
        #expect(Formatting.exact(Date(timeIntervalSince1970: 1_796_311_844.7)) == "2026-12-03T15:30:44Z")
        #expect(Formatting.exact(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Formatting.queryString([("namespace", "team/ci@alice"), ("search", nil), ("x", "a&b=c")])
            == "namespace=team%2Fci%40alice&x=a%26b%3Dc")
    }

    @Test func aHostileNameIsShownAsTextNeverRunAsMarkup() async throws {
        let renderer = try await PageRenderer.load(devSignIn: false)
        let hostile = #"<script>alert("x")</script>' onmouseover='x"#
        let image = ImageResource(
            id: UUID(), name: hostile, namespace: "team@alice", owner: "alice", source: .custom, driver: "qemu",
            version: 1, sha256: String(repeating: "a", count: 64), size: 1 << 20, location: "file:///x",
            createdAt: Date(), createdBy: hostile, deletedAt: nil, verified: true)
        let html = renderer.render(
            "images", title: hostile, section: "images", viewer: nil,
            values: ["rows": ImagePages.rows([image]), "search": hostile])
        let versions = renderer.render(
            "image", title: hostile, section: "images", viewer: nil, values: ImagePages.row(image))
        let response = renderer.page("images", title: "Images", section: "images", viewer: nil)
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("' onmouseover='"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
        for page in [html, versions] {
            #expect(!page.contains("<script>alert"))
            #expect(!page.contains("' onmouseover='"))
            #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x"))
        }
        #expect(response.headers[.contentType] == "text/html; charset=utf-8")
        #expect(response.headers[.init("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
    }

    @Test func aVersionsRowShowsItsOwnStateNotThePages() async throws {
        let renderer = try await PageRenderer.load(devSignIn: false)
        func image(version: Int, deprecated: Bool) -> ImageResource {
            ImageResource(
                id: UUID(), name: "runner", namespace: "ci@alice", owner: "alice", source: .custom, driver: "qemu",
                version: version, sha256: String(repeating: "c", count: 64), size: 1, location: "file:///x",
                createdAt: Date(), createdBy: "alice", deletedAt: nil, verified: true,
                deprecation: deprecated ? Deprecation(since: Date(), reason: "old", replacement: nil) : nil)
        }
        let current = image(version: 2, deprecated: true)
        var values = ImagePages.row(current)
        values["versions"] = [ImagePages.row(current), ImagePages.row(image(version: 1, deprecated: false))]
        values["builds"] = [["build_id": "b-1", "user": "alice", "version": 2, "refused": Formatting.section(nil)]]
        values["has_builds"] = true
        let html = renderer.render("image", title: "runner", section: "images", viewer: nil, values: values)
        let statuses = html.components(separatedBy: "<td class=\"status\">").dropFirst()
            .map { String($0.prefix { $0 != "<" }) }
        #expect(statuses == ["live · deprecated", "live"])
        #expect(!html.contains("use  instead"), "no replacement, no sentence about one")
        #expect(html.contains("booted") && !html.contains("refused: "))
    }

    @Test func theResolveFormSaysWhichRuleChose() {
        func resolution(_ source: ImageSource, _ namespace: String?) -> ResolutionResource {
            var resource = ResolutionResource(Resolution(
                imageID: UUID(), name: "runner", namespace: namespace, source: source, version: 3,
                sha256: try! SHA256Digest(hex: String(repeating: "b", count: 64)), size: 1,
                location: try! ImageLocation("file:///x"), verified: true))
            resource.namespace = namespace
            return resource
        }
        #expect(ResolvePages.rule(resolution(.custom, "ci@alice"), image: "runner", user: "alice", namespace: "ci@alice")
            .contains("in namespace ci@alice"))
        #expect(ResolvePages.rule(resolution(.custom, nil), image: "runner", user: "alice", namespace: nil)
            .contains("alice's personal image"))
        #expect(ResolvePages.rule(resolution(.base, nil), image: "runner", user: "alice", namespace: "ci@alice")
            .contains("base image"))
        #expect(ResolvePages.rule(resolution(.custom, nil), image: "runner@sha256:bb", user: "alice", namespace: nil)
            .hasPrefix("Pinned by digest"))
    }

    @Test func auditDetailsFlattenTheEventsData() {
        let data = JSONValue.object([
            "build_id": .string("b-1"), "resolution": .object(["version": .integer(2)]), "gone": .null,
            "tags": .array([.string("a"), .string("b")]),
        ])
        #expect(AuditPages.details(of: data) == "build_id: b-1 · resolution.version: 2 · tags: [a, b]")
    }
}
