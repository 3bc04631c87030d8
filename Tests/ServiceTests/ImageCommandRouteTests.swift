import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryDomain
import RegistryTesting
import Testing

/// `POST /v1/images` (uploads and registrations), `POST /v1/images/batch`
/// and `DELETE /v1/images/{id}`.
@Suite struct ImageCommandRouteTests {
    @Test func anUploadIsStoredVerifiedAndVersioned() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, projector in
            let first = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=ubuntu&wait=true", token: alice)
            #expect(first.status == .created)
            #expect(first["version"] as? Int == 1)
            #expect(first["sha256"] as? String == Fixture.small.sha256)
            #expect(first["verified"] as? Bool == true)
            #expect((first["location"] as? String)?.hasPrefix("file://\(registry.blobRoot.path)") == true)

            let same = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=ubuntu&wait=true", token: alice)
            #expect(same.status == .ok)
            #expect(same["id"] as? String == first["id"] as? String)

            let next = try await ingest.upload(Fixture.other.bytes, "/v1/images?name=ubuntu&wait=true", token: alice)
            #expect(next.status == .created)
            #expect(next["version"] as? Int == 2)

            let resolved = try await projector.call(.get, "/v1/resolve?driver=qemu&image=ubuntu&user=alice", token: alice)
            #expect(resolved["version"] as? Int == 2)
        }
        #expect(registry.log.events.map(\.type) == [.imageCreated, .imageCreated, .imageCreated])
    }

    @Test func refusedUploadsStoreAndRecordNothing() async throws {
        let registry = try await FakeRegistry(maximumUploadBytes: 1900)
        let (alice, reader) = (try await registry.token("alice"), try await registry.token("reader", [.imageRead]))
        try await registry.withServices { ingest, _ in
            let v2 = try await ingest.upload(Fixture.v2.bytes, "/v1/images?name=old", token: alice)
            #expect(v2.status == .unprocessableContent)
            #expect(v2.errorCode == "invalid_image")
            #expect(v2.errorMessage?.contains("version 2") == true)

            let notQCOW2 = try await ingest.upload(Array(repeating: 0x41, count: 1024), "/v1/images?name=x", token: alice)
            #expect(notQCOW2.status == .unprocessableContent)

            let tooLarge = try await ingest.upload(Fixture.other.bytes, "/v1/images?name=big", token: alice)
            #expect(tooLarge.status == .contentTooLarge)

            let noName = try await ingest.upload(Fixture.small.bytes, "/v1/images", token: alice)
            #expect(noName.status == .badRequest)
            let badName = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=../etc", token: alice)
            #expect(badName.status == .badRequest)

            let withoutScope = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=x", token: reader)
            #expect(withoutScope.status == .notFound)
            let intoOthersNamespace = try await ingest.upload(
                Fixture.small.bytes, "/v1/images?name=x&namespace=team@bob", token: alice)
            #expect(intoOthersNamespace.status == .notFound)
            let baseByUser = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=x&source=base", token: alice)
            #expect(baseByUser.status == .notFound)
        }
        #expect(registry.log.records.isEmpty)
        #expect(try registry.storedFiles().isEmpty)
    }

    @Test func registeringAHeldBlobNeedsReadAccessAndTheStoredSize() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        try await registry.withServices { ingest, _ in
            _ = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=private", token: alice)
            let size = Fixture.small.bytes.count
            let json = #"{"name": "copy", "driver": "qemu", "sha256": "\#(Fixture.small.sha256)", "size": \#(size)}"#

            let bobs = try await ingest.call(.post, "/v1/images", token: bob, json: json)
            #expect(bobs.status == .unprocessableContent)
            #expect(bobs.errorCode == "unknown_blob")

            let wrongSize = try await ingest.call(
                .post, "/v1/images", token: alice, json: json.replacingOccurrences(of: "\(size)}", with: "\(size + 1)}"))
            #expect(wrongSize.status == .unprocessableContent)
            #expect(wrongSize.errorCode == "size_mismatch")

            let alices = try await ingest.call(.post, "/v1/images?wait=true", token: alice, json: json)
            #expect(alices.status == .created)
            #expect(alices["name"] as? String == "copy")

            let elsewhere = #"{"name": "x", "driver": "qemu", "location": "https://example.com/x.qcow2", "sha256": "\#(Fixture.small.sha256)", "size": 5}"#
            let unverified = try await ingest.call(.post, "/v1/images", token: alice, json: elsewhere)
            #expect(unverified.status == .unprocessableContent)
            #expect(unverified.errorCode == "unverified_location")

            let admin = try await registry.token("root", [.registryAdmin])
            let byAdmin = try await ingest.call(.post, "/v1/images?wait=true", token: admin, json: elsewhere.replacingOccurrences(of: #""name": "x""#, with: #""name": "x", "source": "base""#))
            #expect(byAdmin.status == .created)
            #expect(byAdmin["verified"] as? Bool == false)
        }
        #expect(registry.log.events.count == 3)
    }

    static func item(_ name: String) -> String {
        #"{"name": "\#(name)", "source": "base", "driver": "qemu", "location": "https://example.com/\#(name).qcow2", "sha256": "\#(Fixture.small.sha256)", "size": 100}"#
    }

    @Test func aBatchNeedsAKeyAndRecordsEachImageOnceAcrossRetries() async throws {
        let registry = try await FakeRegistry()
        let admin = try await registry.token("root", [.registryAdmin])
        let batch = #"{"images": [\#(Self.item("one")), \#(Self.item("two"))]}"#
        try await registry.withServices { ingest, projector in
            let noKey = try await ingest.call(.post, "/v1/images/batch", token: admin, json: batch)
            #expect(noKey.status == .badRequest)
            #expect(noKey.errorCode == "missing_idempotency_key")
            // The key is asked for before anything in the batch is looked at.
            let noKeyInvalid = try await ingest.call(.post, "/v1/images/batch", token: admin, json: "[")
            #expect(noKeyInvalid.errorCode == "missing_idempotency_key")

            let key: HTTPFields = [.idempotencyKey: "seed-1"]
            let first = try await ingest.call(.post, "/v1/images/batch", token: admin, json: batch, headers: key)
            #expect(first.status == .accepted)
            #expect((first["images"] as? [Any])?.count == 2)
            let retry = try await ingest.call(.post, "/v1/images/batch", token: admin, json: batch, headers: key)
            #expect(retry.status == .accepted)
            let eventIDs = { (answer: JSONAnswer) in
                (answer["images"] as? [[String: Any]])?.compactMap { ($0["event"] as? [String: Any])?["id"] as? String }
            }
            #expect(eventIDs(retry) == eventIDs(first))
            #expect(eventIDs(first)?.count == 2)

            let other = try await ingest.call(
                .post, "/v1/images/batch", token: admin, json: #"{"images": [\#(Self.item("three"))]}"#, headers: key)
            #expect(other.status == .unprocessableContent)

            let user = try await registry.token("alice")
            let byUser = try await ingest.call(
                .post, "/v1/images/batch", token: user, json: batch, headers: [.idempotencyKey: "mine"])
            #expect(byUser.status == .notFound)

            let invalid = try await ingest.call(
                .post, "/v1/images/batch", token: admin, json: #"{"images": [{"name": ""}]}"#, headers: [.idempotencyKey: "bad"])
            #expect(invalid.status == .badRequest)

            let listed = try await projector.call(.get, "/v1/images", token: admin)
            #expect((listed["items"] as? [Any])?.count == 2)
        }
        #expect(registry.log.events.count == 2)
    }

    @Test func deletingIsForThoseWhoMayWriteAndHappensOnce() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        try await registry.withServices { ingest, projector in
            let image = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=ubuntu&wait=true", token: alice)
            let id = try #require(image["id"] as? String)

            #expect(try await ingest.call(.delete, "/v1/images/\(id)", token: bob).status == .notFound)
            #expect(try await ingest.call(.delete, "/v1/images/not-an-id", token: alice).status == .notFound)
            #expect(try await ingest.call(.delete, "/v1/images/\(UUID())", token: alice).status == .notFound)

            let deleted = try await ingest.call(.delete, "/v1/images/\(id)?wait=true", token: alice)
            #expect(deleted.status == .ok)
            #expect(deleted["deleted_at"] as? String != nil)
            #expect(try await ingest.call(.delete, "/v1/images/\(id)", token: alice).status == .notFound)

            let resolved = try await projector.call(.get, "/v1/resolve?driver=qemu&image=ubuntu&user=alice", token: alice)
            #expect(resolved.status == .notFound)
            #expect(try await projector.call(.get, "/v1/images/\(id)/disk", token: alice).status == .notFound)
            let shown = try await projector.call(.get, "/v1/images/\(id)", token: alice)
            #expect(shown.status == .ok)

            // Listings leave deleted versions out unless asked; asked, they show them to who may see them.
            let live = try await projector.call(.get, "/v1/images?search=ubuntu", token: alice)
            #expect((live["items"] as? [Any])?.isEmpty == true)
            let history = try await projector.call(.get, "/v1/images?search=ubuntu&deleted=true", token: alice)
            let items = history["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["id"] as? String } == [id])
            #expect(items.first?["deleted_at"] as? String != nil)
            let bobs = try await projector.call(.get, "/v1/images?search=ubuntu&deleted=true", token: bob)
            #expect((bobs["items"] as? [Any])?.isEmpty == true, "alice's personal image is hers alone")
            #expect(try await projector.call(.get, "/v1/images?deleted=maybe", token: alice).status == .badRequest)
        }
        #expect(registry.log.events.map(\.type) == [.imageCreated, .imageDeleted])
    }
}
