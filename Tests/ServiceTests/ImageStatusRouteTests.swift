import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryDomain
import RegistryTesting
import Testing

/// `POST /v1/images/{id}/deprecate|revoke|restore` and what resolution
/// answers for deprecated and revoked versions.
@Suite struct ImageStatusRouteTests {
    private static let resolveRunner = "/v1/resolve?driver=qemu&image=runner&user=alice"

    @Test func aDeprecatedVersionResolvesWithAWarningAndTheAuditRecordsIt() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, projector in
            let image = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=runner&wait=true", token: alice)
            let id = try #require(image["id"] as? String)
            let deprecated = try await ingest.call(
                .post, "/v1/images/\(id)/deprecate?wait=true", token: alice,
                json: #"{"reason": "CVE-2026-1 \"openssl\"", "replacement": "runner2"}"#)
            #expect(deprecated.status == .ok)
            #expect(deprecated.string("deprecation", "reason") == "CVE-2026-1 \"openssl\"")

            let resolved = try await projector.call(.get, Self.resolveRunner, token: alice)
            #expect(resolved.status == .ok)
            #expect(resolved.string("deprecation", "replacement") == "runner2")
            let warning = try #require(resolved.headers[.warning])
            #expect(warning.hasPrefix("299 image-registry \""))
            #expect(warning.contains(#"CVE-2026-1 \"openssl\"; use runner2 instead"#))

            let recorded = try await ingest.call(
                .post, "/v1/resolutions?wait=true", token: alice,
                json: #"{"build_id": "b1", "user": "alice", "image": "runner", "driver": "qemu"}"#)
            #expect(recorded.status == .ok)
            #expect(recorded.headers[.warning] != nil)
        }
        let resolution = registry.log.events.compactMap { envelope -> ImageResolved? in
            if case .imageResolved(let resolved) = envelope.event { return resolved } else { return nil }
        }.first
        #expect(resolution?.resolution?.deprecation?.reason == "CVE-2026-1 \"openssl\"")
        #expect(resolution?.refusal == nil)
    }

    @Test func aRevokedVersionIsGonePinnedAndByNameUnlessTheNamespaceFallsBack() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "ci"}"#)
            let first = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=runner&namespace=ci&wait=true", token: alice)
            let second = try await ingest.upload(Fixture.other.bytes, "/v1/images?name=runner&namespace=ci&wait=true", token: alice)
            let (secondID, secondSHA) = (try #require(second["id"] as? String), try #require(second["sha256"] as? String))
            let revoked = try await ingest.call(
                .post, "/v1/images/\(secondID)/revoke?wait=true", token: alice, json: #"{"reason": "leaks a key"}"#)
            #expect(revoked.status == .ok)
            #expect(revoked.string("revocation", "reason") == "leaks a key")

            let byName = "/v1/resolve?driver=qemu&image=runner&user=alice&namespace=ci"
            let gone = try await projector.call(.get, byName, token: alice)
            #expect(gone.status == .gone)
            #expect(gone.errorCode == "revoked")
            #expect(gone.errorMessage?.contains("leaks a key") == true)
            let pinned = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=runner@sha256:\(secondSHA)&user=alice&namespace=ci", token: alice)
            #expect(pinned.status == .gone)

            let recorded = try await ingest.call(
                .post, "/v1/resolutions?wait=true", token: alice,
                json: #"{"build_id": "b2", "user": "alice", "namespace": "ci", "image": "runner", "driver": "qemu"}"#)
            #expect(recorded.status == .gone)
            #expect(recorded.errorMessage?.contains("leaks a key") == true)

            let policy = try await ingest.call(
                .patch, "/v1/namespaces/alice/ci?wait=true", token: alice, json: #"{"revoked_fallback": true}"#)
            #expect(policy["revoked_fallback"] as? Bool == true)
            let fallback = try await projector.call(.get, byName, token: alice)
            #expect(fallback.status == .ok)
            #expect(fallback["image_id"] as? String == first["id"] as? String)
            // Pinned, a revoked version never falls back.
            #expect(try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=runner@sha256:\(secondSHA)&user=alice&namespace=ci", token: alice
            ).status == .gone)

            let restored = try await ingest.call(.post, "/v1/images/\(secondID)/restore?wait=true", token: alice)
            #expect(restored.status == .ok)
            #expect(restored["revocation"] == nil)
            #expect(try await projector.call(.get, byName, token: alice)["image_id"] as? String == secondID)
            // Nothing left to restore: answered, nothing recorded.
            let events = registry.log.events.count
            #expect(try await ingest.call(.post, "/v1/images/\(secondID)/restore", token: alice).status == .ok)
            #expect(registry.log.events.count == events)
        }
        let refused = registry.log.events.compactMap { envelope -> ImageResolved? in
            if case .imageResolved(let resolved) = envelope.event { return resolved } else { return nil }
        }.first
        #expect(refused?.refusal?.contains("leaks a key") == true)
        #expect(refused?.resolution?.revocation?.reason == "leaks a key")
    }

    @Test func aScheduledRevocationResolvesUntilItsTime() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, projector in
            let image = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=runner&wait=true", token: alice)
            let id = try #require(image["id"] as? String)
            let at = Date().addingTimeInterval(2).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            let scheduled = try await ingest.call(
                .post, "/v1/images/\(id)/revoke?wait=true", token: alice, json: #"{"reason": "end of life", "effective_at": "\#(at)"}"#)
            #expect(scheduled.status == .ok)
            let before = try await projector.call(.get, Self.resolveRunner, token: alice)
            #expect(before.status == .ok)
            #expect(before.string("revocation", "reason") == "end of life")
            try await Task.sleep(for: .milliseconds(2100))
            #expect(try await projector.call(.get, Self.resolveRunner, token: alice).status == .gone)
        }
    }

    @Test func hostileLifecycleRequestsAreRefusedAndRecordNothing() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        let reader = try await registry.token("reader", [.imageRead])
        try await registry.withServices { ingest, _ in
            let image = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=runner&wait=true", token: alice)
            let id = try #require(image["id"] as? String)
            let before = registry.log.events.count
            let refusals: [(String, String, String?, HTTPResponse.Status)] = [
                (bob, "revoke", #"{"reason": "mine now"}"#, .notFound),
                (reader, "deprecate", #"{"reason": "x"}"#, .notFound),
                (alice, "revoke", #"{}"#, .badRequest),
                (alice, "revoke", #"{"reason": "   "}"#, .badRequest),
                (alice, "deprecate", #"{"reason": "line\nbreak"}"#, .badRequest),
                (alice, "deprecate", #"{"reason": "\#(String(repeating: "x", count: 1025))"}"#, .badRequest),
                (alice, "deprecate", #"{"reason": "x", "replacement": "../etc"}"#, .badRequest),
                (alice, "deprecate", #"{"reason": "x", "effective_at": "2030-01-01T00:00:00Z"}"#, .badRequest),
                (alice, "revoke", #"{"reason": "x", "replacement": "runner"}"#, .badRequest),
                (alice, "revoke", #"{"reason": "x", "effective_at": "2001-01-01T00:00:00Z"}"#, .badRequest),
                (alice, "revoke", #"{"reason": "x", "effective_at": "9999-01-01T00:00:00Z"}"#, .badRequest),
                (alice, "revoke", #"{"reason": "x", "effective_at": "tomorrow"}"#, .badRequest),
                (alice, "revoke", #"{"reason": 7}"#, .badRequest),
            ]
            for (token, verb, body, status) in refusals {
                let answer = try await ingest.call(.post, "/v1/images/\(id)/\(verb)", token: token, json: body)
                #expect(answer.status == status, "\(verb) \(body ?? "")")
            }
            #expect(try await ingest.call(
                .post, "/v1/images/\(UUID().uuidString)/revoke", token: alice, json: #"{"reason": "x"}"#
            ).status == .notFound)
            #expect(try await ingest.call(.post, "/v1/images/not-a-uuid/restore", token: alice).status == .notFound)
            #expect(registry.log.events.count == before)

            // One key, two different changes: the second is refused.
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "retire-1"]
            #expect(try await ingest.call(
                .post, "/v1/images/\(id)/deprecate", token: alice, json: #"{"reason": "old"}"#, headers: key
            ).status == .accepted)
            #expect(try await ingest.call(
                .post, "/v1/images/\(id)/revoke", token: alice, json: #"{"reason": "old"}"#, headers: key
            ).status == .unprocessableContent)
            #expect(registry.log.events.count == before + 1)
        }
    }
}

/// `DELETE /v1/images/{id}` of a version builds used recently.
@Suite struct CarefulDeleteRouteTests {
    @Test func aVersionABuildResolvedRecentlyIsDeletedOnlyWithForceAndTheAnswerNamesTheBuilds() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, _ in
            let used = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=runner&wait=true", token: alice)
            let unused = try await ingest.upload(Fixture.other.bytes, "/v1/images?name=spare&wait=true", token: alice)
            let (usedID, unusedID) = (try #require(used["id"] as? String), try #require(unused["id"] as? String))
            for build in ["b-7", "b-8"] {
                let resolved = try await ingest.call(
                    .post, "/v1/resolutions?wait=true", token: alice,
                    json: #"{"build_id": "\#(build)", "user": "alice", "image": "runner", "driver": "qemu"}"#)
                #expect(resolved.status == .ok)
            }
            let before = registry.log.events.count
            let refused = try await ingest.call(.delete, "/v1/images/\(usedID)", token: alice)
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "recently_resolved")
            let details = (refused["error"] as? [String: Any])?["details"] as? [String: Any]
            let builds = (details?["builds"] as? [[String: Any]] ?? []).compactMap { $0["build_id"] as? String }
            #expect(Set(builds) == ["b-7", "b-8"])
            #expect(registry.log.events.count == before, "nothing is recorded")
            #expect(try await ingest.call(.delete, "/v1/images/\(usedID)?force=maybe", token: alice).status == .badRequest)

            #expect(try await ingest.call(.delete, "/v1/images/\(unusedID)?wait=true", token: alice).status == .ok)
            let forced = try await ingest.call(.delete, "/v1/images/\(usedID)?force=true&wait=true", token: alice)
            #expect(forced.status == .ok)
            #expect(forced["deleted_at"] != nil)
        }
    }
}
