import Foundation
import HTTPTypes
import PostgresNIO
import RegistryAuth
import RegistryTesting
import Testing
import RegistryHTTP

/// Bad input gets a clear 4xx and records nothing.
@Suite("Bad input is refused and writes no event")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let uri: String
        let json: String?
        var contentType = "application/json"
        var token: Token = .writer
        var headers: HTTPFields = [:]
        let status: HTTPResponse.Status
        /// Text the error message must contain.
        let mentions: String

        enum Token: Sendable { case writer, none, garbage, otherSecret, expired }

        var testDescription: String { name }
    }

    /// A registration of `held`'s bytes that the registry accepts as it
    /// stands, with `overrides` applied: `field=json` sets a field, a bare
    /// `field` removes it, `;` separates them.
    static func image(_ overrides: String, of held: HeldImage) -> String {
        let base = [
            "name": #""ok""#, "driver": #""qemu""#, "sha256": "\"\(held.sha256)\"", "size": "\(held.size)",
        ]
        var fields = base
        for pair in overrides.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] } else { fields.removeValue(forKey: parts[0]) }
        }
        return "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }

    /// The cases, each breaking one rule of a registration of `held`'s bytes.
    static func cases(holding held: HeldImage) -> [Case] {
        func image(_ overrides: String) -> String { Self.image(overrides, of: held) }
        return [
            Case(name: "malformed JSON", uri: "/v1/namespaces", json: #"{"path": "#, status: .badRequest, mentions: "malformed"),
            Case(name: "missing field", uri: "/v1/images", json: image("sha256"), status: .badRequest, mentions: "sha256"),
            Case(name: "wrong field type", uri: "/v1/images", json: image(#"size="ten""#), status: .badRequest, mentions: "size"),
            Case(name: "unknown driver", uri: "/v1/images", json: image(#"driver="docker""#), status: .badRequest, mentions: "docker"),
            Case(name: "image name with a slash", uri: "/v1/images", json: image(#"name="debian/stable""#), status: .badRequest, mentions: "letters, digits"),
            Case(name: "bad digest", uri: "/v1/images", json: image(#"sha256="abc""#), status: .badRequest, mentions: "sha256"),
            Case(name: "negative size", uri: "/v1/images", json: image("size=-1"), status: .badRequest, mentions: "size"),
            Case(name: "plain http location", uri: "/v1/images", json: image(#"location="http://host/a.qcow2""#), status: .badRequest, mentions: "location"),
            Case(name: "traversal in location", uri: "/v1/images", json: image(#"location="file:///images/../../etc/shadow""#), status: .badRequest, mentions: "location"),
            Case(name: "file location outside the image store", uri: "/v1/images", json: image(#"location="file:///etc/passwd""#), status: .badRequest, mentions: "inside the image store"),
            Case(name: "namespace too deep", uri: "/v1/namespaces",
                 json: "{\"path\": \"\((1...21).map { "s\($0)" }.joined(separator: "/"))\"}", status: .badRequest, mentions: "20"),
            Case(name: "namespace segment with a dash", uri: "/v1/namespaces", json: #"{"path": "team-a"}"#, status: .badRequest, mentions: "letters and digits"),
            Case(name: "unknown visibility", uri: "/v1/namespaces", json: #"{"path": "team", "visibility": "secret"}"#, status: .badRequest, mentions: "visibility"),
            Case(name: "someone else's namespace", uri: "/v1/namespaces", json: #"{"path": "team@bob"}"#, status: .notFound, mentions: "bob"),
            Case(name: "image in someone else's namespace", uri: "/v1/images", json: image(#"namespace="team@bob""#), status: .notFound, mentions: "team@bob"),
            Case(name: "oversized body", uri: "/v1/namespaces",
                 json: "{\"path\": \"team\", \"pad\": \"\(String(repeating: "x", count: 70_000))\"}", status: .contentTooLarge, mentions: "at most"),
            Case(name: "wrong content type", uri: "/v1/namespaces", json: #"{"path": "team"}"#, contentType: "text/plain",
                 status: .unsupportedMediaType, mentions: "application/json"),
            Case(name: "no token", uri: "/v1/namespaces", json: #"{"path": "team"}"#, token: .none, status: .unauthorized, mentions: "token"),
            Case(name: "garbage token", uri: "/v1/namespaces", json: #"{"path": "team"}"#, token: .garbage, status: .unauthorized, mentions: "token"),
            Case(name: "token signed with another secret", uri: "/v1/namespaces", json: #"{"path": "team"}"#, token: .otherSecret, status: .unauthorized, mentions: "token"),
            Case(name: "expired token", uri: "/v1/namespaces", json: #"{"path": "team"}"#, token: .expired, status: .unauthorized, mentions: "token"),
            Case(name: "batch without an idempotency key", uri: "/v1/images/batch",
                 json: "{\"images\": [\(image(""))]}", status: .badRequest, mentions: "Idempotency-Key"),
            Case(name: "batch with one bad registration", uri: "/v1/images/batch",
                 json: "{\"images\": [\(image("")), \(image(#"name="two";size=0"#))]}", headers: [.idempotencyKey: "b1"],
                 status: .badRequest, mentions: "images[1].size"),
            Case(name: "batch naming one image twice", uri: "/v1/images/batch",
                 json: "{\"images\": [\(image("")), \(image(""))]}", headers: [.idempotencyKey: "b2"],
                 status: .badRequest, mentions: "images[1]"),
            Case(name: "batch with one image in someone else's namespace", uri: "/v1/images/batch",
                 json: "{\"images\": [\(image("")), \(image(#"namespace="team@bob""#))]}", headers: [.idempotencyKey: "b3"],
                 status: .notFound, mentions: "team@bob"),
            Case(name: "empty batch", uri: "/v1/images/batch", json: #"{"images": []}"#, headers: [.idempotencyKey: "b4"],
                 status: .badRequest, mentions: "1 to 500"),
            Case(name: "resolution for an invalid user", uri: "/v1/resolutions",
                 json: #"{"build_id": "1", "user": "a b", "driver": "qemu", "image": "x"}"#, status: .badRequest, mentions: "user"),
            Case(name: "wait that is not a boolean", uri: "/v1/namespaces?wait=yes", json: #"{"path": "team"}"#,
                 status: .badRequest, mentions: "wait"),
            Case(name: "NUL in a query parameter", uri: "/v1/namespaces?wait=true%00", json: #"{"path": "team"}"#,
                 status: .badRequest, mentions: "NUL"),
            Case(name: "resolution with an empty build id", uri: "/v1/resolutions",
                 json: #"{"build_id": "", "user": "alice", "driver": "qemu", "image": "x"}"#, status: .badRequest, mentions: "build_id"),
        ]
    }

    static func token(_ kind: Case.Token) async throws -> String? {
        let scopes: [Scope] = [.namespaceWrite, .imageWrite, .imageRead, .imageResolve]
        switch kind {
        case .writer: return try await TestEnvironment.token("alice", scopes)
        case .none: return nil
        case .garbage: return "not.a.jwt"
        case .otherSecret:
            return try await TokenVerifier(hmacSecret: String(repeating: "z", count: 40))
                .token(username: .init("alice"), scopes: scopes)
        case .expired:
            return try await TokenVerifier(hmacSecret: TestEnvironment.jwtSecret)
                .token(username: .init("alice"), scopes: scopes, lifetime: -60)
        }
    }

    @Test("every bad request gets its status and a message that says what is wrong; no event is recorded")
    func badRequestsRecordNothing() async throws {
        let services = try await RegistryServices.fresh()
        try await services.run { ingest, projector in
            let writer = try await Self.token(.writer)
            let held = try await HeldImages.upload(0x81, to: ingest, token: try #require(writer))
            for badCase in Self.cases(holding: held.image) {
                let answer = try await ingest.call(
                    .post, badCase.uri, token: try await Self.token(badCase.token), json: badCase.json,
                    contentType: badCase.contentType, headers: badCase.headers)
                #expect(answer.status == badCase.status, "\(badCase.name)")
                #expect(answer.errorMessage?.contains(badCase.mentions) == true,
                        "\(badCase.name): \(answer.errorMessage ?? "no message")")
                #expect(answer.headers[.registryPosition] == nil, "\(badCase.name) must not record an event")
            }
            // One good write, the registration each case breaks in one
            // rule; then nothing but it and the upload may be in the log.
            let sentinel = try await ingest.call(.post, "/v1/images?wait=true", token: writer, json: Self.image("", of: held.image))
            #expect(sentinel.status == .created, "\(sentinel.body)")
            try await Task.sleep(for: .seconds(1))
            let recorded = try await withPostgres(url: services.settings.databaseURL) { client in
                var total: Int64 = 0
                for try await offset in try await client.query(
                    "SELECT coalesce(sum(next_offset), 0)::bigint FROM projection_positions").decode(Int64.self)
                {
                    total = offset
                }
                return total
            }
            #expect(recorded == 2, "only the upload's and the sentinel's events are in the topic")
            let admin = try await TestEnvironment.token("root", [.registryAdmin])
            let audit = try await projector.call(.get, "/v1/audit", token: admin)
            #expect((audit["items"] as? [Any])?.count == 2)
            // Reads too: a NUL once reached PostgreSQL and answered 503.
            for uri in ["/v1/audit?user=alice%00", "/v1/images?limit="] {
                let refused = try await projector.call(.get, uri, token: admin)
                #expect(refused.status == .badRequest, "\(uri)")
            }
        }
    }
}
