import Foundation
import HTTPTypes
import RegistryTesting
import Testing
import RegistryHTTP

/// `POST /v1/images/batch` end to end.
@Suite("Image batches")
struct ImageBatchTests {
    static func batch(_ registrations: [String]) -> String {
        #"{"images": ["# + registrations.joined(separator: ", ") + "]}"
    }

    @Test("a batch records every image; a retry with its key records nothing new; unchanged bytes make no version")
    func registerRetryUnchanged() async throws {
        let alice = try await TestEnvironment.token("alice", [.imageWrite, .imageRead, .imageResolve])
        try await RegistryServices.fresh().run { ingest, projector in
            // Every item names the same bytes, which alice uploaded first.
            let held = try await HeldImages.upload(0x31, to: ingest, token: alice)
            let body = Self.batch([
                held.image.registration(name: "runner"), held.image.registration(name: "builder"),
                held.image.registration(name: "runner", namespace: "team/ci"),
                held.image.registration(name: "cache", namespace: "team/ci"),
            ])
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
                #expect(resolved.string("sha256") == held.image.sha256)
                #expect(resolved["verified"] as? Bool == true)
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
            #expect(again.status == .accepted, "recorded: the fold decides what the same bytes change")
            let unchanged = try #require(again["images"] as? [[String: Any]])
            let againEvents = unchanged.compactMap { $0["event"] as? [String: Any] }
            #expect(againEvents.count == 4)
            for (event, id) in zip(againEvents, ids) {
                let eventID = try #require(event["id"] as? String)
                let position = try #require(event["position"] as? String)
                let audit = try await projector.call(
                    .get, "/v1/audit?image=\(id)", token: alice, headers: [.registryPosition: position])
                let entries = try #require(audit["items"] as? [[String: Any]])
                #expect(entries.compactMap { $0["id"] as? String }.contains(eventID),
                        "the unchanged registration's audit entry names the version its bytes already are")
            }
            let listed = try await projector.call(.get, "/v1/images?limit=100", token: alice)
            let listedItems = listed["items"] as? [[String: Any]] ?? []
            #expect(Set(listedItems.compactMap { $0["id"] as? String }) == Set(ids + [held.id]),
                    "the upload and the batch's four images, nothing else")
            #expect(listedItems.count == 5 && listedItems.allSatisfy { $0["version"] as? Int == 1 }, "each version 1")
        }
    }
}
