import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryDomain
import RegistryTesting
import Testing

/// `PUT`/`GET /v1/quotas` and the refusals of what does not fit.
@Suite struct QuotaRouteTests {
    @Test func whatPassesAQuotaIsRefusedWithTheQuotaAndUsageAndRecordsNothing() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        let admin = try await registry.token("root", [.registryAdmin])
        let small = Int64(Fixture.small.bytes.count)
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "ci"}"#)
            // Only administrators set quotas, on a root's tree or a user.
            #expect(try await ingest.call(
                .put, "/v1/quotas?namespace=ci@alice", token: alice, json: #"{"max_bytes": 1}"#
            ).status == .notFound)
            #expect(try await ingest.call(
                .put, "/v1/quotas?namespace=ci/sub@alice", token: admin, json: #"{"max_bytes": 1}"#
            ).status == .badRequest)
            #expect(try await ingest.call(
                .put, "/v1/quotas?namespace=ci@alice&user=alice", token: admin, json: #"{"max_bytes": 1}"#
            ).status == .badRequest)
            #expect(try await ingest.call(
                .put, "/v1/quotas?namespace=ci@alice", token: admin, json: #"{"max_bytes": -1}"#
            ).status == .badRequest)
            let set = try await ingest.call(
                .put, "/v1/quotas?namespace=ci@alice&wait=true", token: admin,
                json: #"{"max_bytes": \#(small + 100), "max_versions": 3}"#)
            #expect(set.status == .ok)
            #expect(set["max_bytes"] as? Int == Int(small + 100))

            let first = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=a&namespace=ci&wait=true", token: alice)
            #expect(first.status == .created)
            let events = registry.log.events.count
            let refused = try await ingest.upload(Fixture.other.bytes, "/v1/images?name=b&namespace=ci&wait=true", token: alice)
            #expect(refused.status == .contentTooLarge)
            #expect(refused.errorCode == "quota_exceeded")
            let details = (refused["error"] as? [String: Any])?["details"] as? [String: Any]
            #expect((details?["quota"] as? [String: Any])?["max_bytes"] as? Int == Int(small + 100))
            #expect((details?["usage"] as? [String: Any])?["physical_bytes"] as? Int == Int(small))
            #expect(registry.log.events.count == events, "nothing is recorded")
            // The same bytes again cost the tree nothing: a second version fits.
            let copy = try await ingest.call(
                .post, "/v1/images?wait=true", token: alice,
                json: #"{"name": "copy", "namespace": "ci", "driver": "qemu", "sha256": "\#(Fixture.small.sha256)", "size": \#(small)}"#)
            #expect(copy.status == .created)
            // Personal images are outside the tree's quota.
            #expect(try await ingest.upload(Fixture.other.bytes, "/v1/images?name=mine&wait=true", token: alice).status == .created)

            let usage = try await projector.call(.get, "/v1/quotas?namespace=ci@alice", token: alice)
            let counted = usage["usage"] as? [String: Any]
            #expect(counted?["logical_bytes"] as? Int == Int(2 * small))
            #expect(counted?["physical_bytes"] as? Int == Int(small))
            #expect(counted?["versions"] as? Int == 2)
            #expect(try await projector.call(.get, "/v1/quotas?namespace=ci@alice", token: bob).status == .notFound)

            // A user quota on versions caps personal images and trees together.
            _ = try await ingest.call(.put, "/v1/quotas?user=alice&wait=true", token: admin, json: #"{"max_versions": 3}"#)
            let third = try await ingest.call(
                .post, "/v1/images?wait=true", token: alice,
                json: #"{"name": "copy2", "namespace": "ci", "driver": "qemu", "sha256": "\#(Fixture.small.sha256)", "size": \#(small)}"#)
            #expect(third.status == .contentTooLarge)
            #expect(third.errorMessage?.contains("at most 3 versions") == true)
            // Removing the quota lifts it.
            _ = try await ingest.call(.put, "/v1/quotas?user=alice&wait=true", token: admin, json: #"{}"#)
            let user = try await projector.call(.get, "/v1/quotas?user=alice", token: admin)
            #expect(user["max_versions"] == nil)
        }
    }

    @Test func aBatchIsCountedAsAWholeAndTheSameBytesTwiceCountOnce() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        let admin = try await registry.token("root", [.registryAdmin])
        let (small, other) = (Int64(Fixture.small.bytes.count), Int64(Fixture.other.bytes.count))
        try await registry.withServices { ingest, _ in
            _ = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=s&wait=true", token: alice)
            _ = try await ingest.upload(Fixture.other.bytes, "/v1/images?name=o&wait=true", token: alice)
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "ci"}"#)
            _ = try await ingest.call(
                .put, "/v1/quotas?namespace=ci@alice&wait=true", token: admin,
                json: #"{"max_bytes": \#(max(small, other) + 1)}"#)
            func item(_ name: String, _ fixture: Fixture, _ size: Int64) -> String {
                #"{"name": "\#(name)", "namespace": "ci", "driver": "qemu", "sha256": "\#(fixture.sha256)", "size": \#(size)}"#
            }
            let events = registry.log.events.count
            let both = try await ingest.call(
                .post, "/v1/images/batch", token: alice,
                json: #"{"images": [\#(item("a", .small, small)), \#(item("b", .other, other))]}"#,
                headers: [HTTPField.Name("Idempotency-Key")!: "batch-1"])
            #expect(both.status == .contentTooLarge, "each fits alone, not both")
            #expect(registry.log.events.count == events)
            let twice = try await ingest.call(
                .post, "/v1/images/batch", token: alice,
                json: #"{"images": [\#(item("a", .small, small)), \#(item("c", .small, small))]}"#,
                headers: [HTTPField.Name("Idempotency-Key")!: "batch-2"])
            #expect(twice.status == .accepted, "the same bytes twice are stored once")
        }
    }
}
