import Foundation
import HTTPTypes
import Testing
import RegistryHTTP

/// `POST /v1/images/batch` end to end.
@Suite("Image batches")
struct ImageBatchTests {
    static func registration(_ name: String, namespace: String? = nil, digest: Character = "b") -> String {
        EndToEndFlowTests.registration(
            name: name, namespace: namespace, digest: String(repeating: digest, count: 64), size: 4096)
    }

    static func batch(_ registrations: [String]) -> String {
        #"{"images": ["# + registrations.joined(separator: ", ") + "]}"
    }

    @Test("a batch records every image; a retry with its key records nothing new; unchanged bytes record nothing")
    func registerRetryUnchanged() async throws {
        let alice = try await TestEnvironment.token("alice", [.imageWrite, .imageRead, .imageResolve])
        let body = Self.batch([
            Self.registration("runner"), Self.registration("builder"),
            Self.registration("runner", namespace: "team/ci"), Self.registration("cache", namespace: "team/ci"),
        ])
        try await RegistryServices.fresh().run { ingest, projector in
            let first = try await ingest.call(
                .post, "/v1/images/batch", token: alice, json: body, headers: [.idempotencyKey: "batch-1"])
            #expect(first.status == .accepted)
            let items = try #require(first["images"] as? [[String: Any]])
            #expect(items.count == 4)
            let events = items.compactMap { $0["event"] as? [String: Any] }
            #expect(events.count == 4 && events.allSatisfy { $0["type"] as? String == "image-created" })

            // Read after every event's position, then resolve each image.
            for event in events {
                let position = try #require(event["position"] as? String)
                #expect(try await projector.call(.get, "/v1/images?limit=1&after=\(position)", token: alice).status == .ok)
            }
            for (name, namespace) in [("runner", nil), ("builder", nil), ("runner", "team/ci@alice"), ("cache", "team/ci@alice")] {
                let query = "/v1/resolve?driver=qemu&image=\(name)&user=alice" + (namespace.map { "&namespace=\($0)" } ?? "")
                let resolved = try await projector.call(.get, query, token: alice)
                #expect(resolved.status == .ok, "\(name) in \(namespace ?? "alice's personal images")")
                #expect(resolved["version"] as? Int == 1)
            }
            let ids = items.compactMap { $0["image_id"] as? String }

            let retry = try await ingest.call(
                .post, "/v1/images/batch", token: alice, json: body, headers: [.idempotencyKey: "batch-1"])
            #expect(retry.status == .accepted)
            let retried = try #require(retry["images"] as? [[String: Any]])
            #expect(retried.compactMap { $0["image_id"] as? String } == ids, "the same images")
            #expect(retried.compactMap { ($0["event"] as? [String: Any])?["id"] as? String }
                == events.compactMap { $0["id"] as? String }, "the same events")

            let again = try await ingest.call(
                .post, "/v1/images/batch", token: alice, json: body, headers: [.idempotencyKey: "batch-2"])
            #expect(again.status == .ok, "the same bytes under a new key change nothing")
            let unchanged = try #require(again["images"] as? [[String: Any]])
            #expect(unchanged.compactMap { $0["image_id"] as? String } == ids)
            #expect(unchanged.allSatisfy { $0["event"] == nil })

            let listed = try await projector.call(.get, "/v1/images?limit=100", token: alice)
            #expect((listed["items"] as? [Any])?.count == 4, "four images, each version 1")
        }
    }
}
