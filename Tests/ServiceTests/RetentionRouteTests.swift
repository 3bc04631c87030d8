import Foundation
import HTTPTypes
import HummingbirdTesting
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
}
