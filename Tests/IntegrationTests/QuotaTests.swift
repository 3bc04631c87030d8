import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryDomain
import RegistryHTTP
import RegistryTesting
import Testing

/// Quotas against PostgreSQL, the broker and the blob store: refusals store
/// and record nothing, open upload sessions count, usage is reported
/// logical and physical, and a replay decides the same.
@Suite("Quotas")
struct QuotaTests {
    @Test("uploads, sessions and imports past a tree's quota answer 413 with the quota and usage, store no blob and record nothing; sessions in flight count; usage is logical and physical")
    func refusalsStoreNothing() async throws {
        let services = try await RegistryServices.fresh()
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let admin = try await TestEnvironment.token("root", [.registryAdmin])
        let first = try HeldImages.image(0xC1)
        let second = try HeldImages.image(0xC2)
        try await services.run { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "lab"}"#)
            let limit = first.size + second.size / 2
            let set = try await ingest.call(
                .put, "/v1/quotas?namespace=lab@alice&wait=true", token: admin, json: #"{"max_bytes": \#(limit)}"#)
            #expect(set.status == .ok)
            _ = try await HeldImages.upload(0xC1, to: ingest, token: alice, name: "one", namespace: "lab@alice")
            let blobsBefore = UploadTests.storedFiles(services.settings).filter { $0.contains("/sha256/") }.count
            let logBefore = try await projector.call(.get, "/v1/audit?namespace=lab@alice", token: alice)

            let refused = try await ingest.upload(second.file, "/v1/images?name=two&namespace=lab@alice", token: alice)
            #expect(refused.status == .contentTooLarge)
            #expect(refused.errorCode == "quota_exceeded")
            let session = try await ingest.call(
                .post, "/v1/uploads", token: alice,
                json: #"{"name": "two", "namespace": "lab@alice", "size": \#(second.size)}"#)
            #expect(session.status == .contentTooLarge, "a declared size past the quota opens no session")
            let queued = try await ingest.call(
                .post, "/v1/imports", token: alice,
                json: #"{"name": "three", "namespace": "lab@alice", "download_url": "http://127.0.0.1:9/x.qcow2"}"#)
            #expect(queued.status != .contentTooLarge, "an import is refused only once nothing more fits")

            // A session within the quota holds its declared bytes while open.
            let small = try await ingest.call(
                .post, "/v1/uploads", token: alice, json: #"{"name": "four", "namespace": "lab@alice", "size": 1000}"#)
            #expect(small.status == .created)
            let usage = try await projector.call(.get, "/v1/quotas?namespace=lab@alice", token: alice)
            let counted = try #require(usage["usage"] as? [String: Any])
            #expect(counted["physical_bytes"] as? Int == first.size)
            #expect(counted["logical_bytes"] as? Int == first.size)
            #expect(counted["in_flight_bytes"] as? Int == 1000)
            #expect(counted["versions"] as? Int == 1)

            #expect(UploadTests.storedFiles(services.settings).filter { $0.contains("/sha256/") }.count == blobsBefore,
                    "no refused upload left a blob")
            let logAfter = try await projector.call(.get, "/v1/audit?namespace=lab@alice", token: alice)
            let types = (logAfter["items"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            let typesBefore = (logBefore["items"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            #expect(types.filter { $0 == "image-created" }.count == typesBefore.filter { $0 == "image-created" }.count)

            // A full quota refuses imports too.
            _ = try await ingest.call(
                .put, "/v1/quotas?namespace=lab@alice&wait=true", token: admin, json: #"{"max_versions": 1}"#)
            let full = try await ingest.call(
                .post, "/v1/imports", token: alice,
                json: #"{"name": "five", "namespace": "lab@alice", "download_url": "http://93.184.216.34/y.qcow2"}"#)
            #expect(full.status == .contentTooLarge)
        }
        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        let replay = try await ReadModelSnapshot.cleanReplay(of: services.settings.topic, records: live.recordsSeen)
        #expect(replay == live, "a clean replay gives the same read model")
    }

    @Test("an import past a quota fails with quota_exceeded: refused before a byte is stored when the server announces its size, cut off where it passes the quota when it does not; nothing is stored or recorded")
    func importsFitTheirQuota() async throws {
        let directory = try QemuImages.directory()
        let good = try QemuImages.make("good.qcow2", in: directory)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: good.path)[.size] as? Int)
        let announced = try await FileServer(serving: directory)
        defer { announced.stop() }
        let chunked = try await FileServer(serving: directory, options: .init(announcesLength: false))
        defer { chunked.stop() }
        let services = try await RegistryServices.fresh(configure: ImportTests.allowingLoopback)
        let blobs = URL(fileURLWithPath: services.settings.blobDirectory)
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let admin = try await TestEnvironment.token("root", [.registryAdmin])
        try await services.run { ingest, projector in
            _ = try await ingest.call(
                .put, "/v1/quotas?user=alice&wait=true", token: admin, json: #"{"max_bytes": \#(size / 2)}"#)
            for (server, words) in [(announced, "the server announced"), (chunked, "the download passed it")] {
                let queued = try await ingest.call(
                    .post, "/v1/imports", token: alice,
                    json: #"{"name": "big", "download_url": "\#(server.url("good.qcow2"))"}"#)
                #expect(queued.status == .accepted, "\(queued.body)")
                let failed = try await ImportTests.ended(try #require(queued.string("id")), on: projector, token: alice)
                #expect(failed["status"] as? String == "failed", "\(failed.body)")
                #expect(failed.string("error", "code") == "quota_exceeded", "\(failed.body)")
                #expect(failed.string("error", "message")?.contains(words) == true, "\(failed.body)")
                #expect(failed.string("error", "message")?.contains("user alice") == true, "\(failed.body)")
            }
            let partials = (try? FileManager.default.contentsOfDirectory(atPath: blobs.appendingPathComponent("imports").path)) ?? []
            #expect(partials.isEmpty, "\(partials)")
            #expect(UploadTests.storedFiles(services.settings).filter { $0.contains("/sha256/") }.isEmpty)
            let images = try await projector.call(.get, "/v1/images?search=big", token: alice)
            #expect((images["items"] as? [Any])?.isEmpty == true, "\(images.body)")

            // Room again: the same import goes through.
            _ = try await ingest.call(
                .put, "/v1/quotas?user=alice&wait=true", token: admin, json: #"{"max_bytes": \#(size * 2)}"#)
            let fits = try await ingest.call(
                .post, "/v1/imports", token: alice, json: #"{"name": "big", "download_url": "\#(chunked.url("good.qcow2"))"}"#)
            let done = try await ImportTests.ended(try #require(fits.string("id")), on: projector, token: alice)
            #expect(done["status"] as? String == "done", "\(done.body)")
        }
        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        let replay = try await ReadModelSnapshot.cleanReplay(of: services.settings.topic, records: live.recordsSeen)
        #expect(replay == live, "a clean replay gives the same read model")
    }
}
