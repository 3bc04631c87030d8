import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryAuth
import RegistryDomain
import RegistryTesting
import Testing

/// Retention policies: `PATCH` sets one, `GET /v1/retention/preview` lists
/// what it would remove, `POST /v1/retention` removes exactly that.
@Suite struct RetentionRouteTests {
    @Test func aPreviewListsWhatTheRunRemovesAndTheNewestAndRecentlyUsedStay() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "ci"}"#)
            var ids: [String] = []
            for fixture in [Fixture.small, Fixture.other, Fixture.small] {
                let image = try await ingest.upload(fixture.bytes, "/v1/images?name=runner&namespace=ci&wait=true", token: alice)
                ids.append(try #require(image["id"] as? String))
            }
            let none = try await projector.call(.get, "/v1/retention/preview?namespace=ci", token: alice)
            #expect((none["items"] as? [Any])?.isEmpty == true, "no policy: nothing goes")
            let set = try await ingest.call(
                .patch, "/v1/namespaces/alice/ci?wait=true", token: alice, json: #"{"retention": {"keep_newest": 1}}"#)
            #expect((set["retention"] as? [String: Any])?["keep_newest"] as? Int == 1)

            let preview = try await projector.call(.get, "/v1/retention/preview?namespace=ci@alice", token: alice)
            let listed = (preview["items"] as? [[String: Any]] ?? []).compactMap { $0["image_id"] as? String }
            #expect(Set(listed.map { $0.lowercased() }) == Set(ids.prefix(2).map { $0.lowercased() }))
            #expect(try await projector.call(.get, "/v1/retention/preview?namespace=ci@alice", token: bob).status == .notFound)
            #expect(try await ingest.call(.post, "/v1/retention?namespace=ci@alice", token: bob).status == .notFound)
            #expect(try await ingest.call(
                .patch, "/v1/namespaces/alice/ci", token: alice, json: #"{"retention": {"keep_newest": 0}}"#
            ).status == .badRequest)

            let applied = try await ingest.call(.post, "/v1/retention?namespace=ci&wait=true", token: alice)
            #expect(applied.status == .ok)
            let removed = (applied["items"] as? [[String: Any]] ?? []).compactMap { $0["image_id"] as? String }
            #expect(removed == listed, "the run removes what the preview listed")
            let left = try await projector.call(.get, "/v1/images?namespace=ci", token: alice)
            #expect((left["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[2]])
            let again = try await ingest.call(.post, "/v1/retention?namespace=ci", token: alice)
            #expect((again["items"] as? [Any])?.isEmpty == true, "nothing is left to remove")
        }
        let reasons = registry.log.events.compactMap { envelope -> String? in
            if case .imageDeleted(let deleted) = envelope.event { return deleted.reason } else { return nil }
        }
        #expect(reasons.count == 2)
        #expect(reasons.allSatisfy { $0.hasPrefix("retention policy: not among the newest 1") })
    }

    @Test func personalImagesFollowTheDeploymentsDefaultPolicyForTheirOwnerOnly() async throws {
        let registry = try await FakeRegistry(personalRetention: RetentionPolicy(keepNewest: 1))
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        let admin = try await registry.token("root", Scope.user + [.registryAdmin])
        try await registry.withServices { ingest, projector in
            var ids: [String] = []
            for fixture in [Fixture.small, Fixture.other] {
                let image = try await ingest.upload(fixture.bytes, "/v1/images?name=mine&wait=true", token: alice)
                ids.append(try #require(image["id"] as? String))
            }
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "ci"}"#)
            _ = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=mine&namespace=ci&wait=true", token: alice)

            let preview = try await projector.call(.get, "/v1/retention/preview?user=alice", token: alice)
            #expect(preview["user"] as? String == "alice")
            #expect(preview["namespace"] == nil)
            let listed = (preview["items"] as? [[String: Any]] ?? []).compactMap { $0["image_id"] as? String }
            #expect(listed.map { $0.lowercased() } == [ids[0].lowercased()], "the older personal version alone")
            #expect(try await projector.call(.get, "/v1/retention/preview?user=alice", token: bob).status == .notFound)
            #expect(try await ingest.call(.post, "/v1/retention?user=alice", token: bob).status == .notFound)
            #expect(try await projector.call(.get, "/v1/retention/preview?user=Alice!", token: alice).status == .badRequest)
            #expect(try await projector.call(
                .get, "/v1/retention/preview?user=alice&namespace=ci", token: alice
            ).status == .badRequest)
            let seenByAdmin = try await projector.call(.get, "/v1/retention/preview?user=alice", token: admin)
            #expect((seenByAdmin["items"] as? [Any])?.count == 1)

            let applied = try await ingest.call(.post, "/v1/retention?user=alice&wait=true", token: alice)
            let removed = (applied["items"] as? [[String: Any]] ?? []).compactMap { $0["image_id"] as? String }
            #expect(removed == listed, "the run removes what the preview listed")
            let left = try await projector.call(.get, "/v1/images/\(ids[0])", token: alice)
            #expect(left["deleted_at"] != nil)
            let namespaced = try await projector.call(.get, "/v1/images?namespace=ci", token: alice)
            #expect((namespaced["items"] as? [Any])?.count == 1, "a namespace's versions follow its own policy")
        }
        let subjects = registry.log.events.compactMap { envelope -> String? in
            if case .imageDeleted = envelope.event { return envelope.subject } else { return nil }
        }
        #expect(subjects == ["alice"])
    }

    @Test func withoutADefaultPolicyPersonalImagesAreKept() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, projector in
            for fixture in [Fixture.small, Fixture.other] {
                _ = try await ingest.upload(fixture.bytes, "/v1/images?name=mine&wait=true", token: alice)
            }
            let preview = try await projector.call(.get, "/v1/retention/preview?user=alice", token: alice)
            #expect(preview["policy"] == nil)
            #expect((preview["items"] as? [Any])?.isEmpty == true)
            let applied = try await ingest.call(.post, "/v1/retention?user=alice", token: alice)
            #expect((applied["items"] as? [Any])?.isEmpty == true)
        }
    }
}
