import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import IngestService
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryRuntime
import RegistryTesting
import Testing

/// Import routes on the fakes (no worker runs here: the live suite
/// downloads): a request is recorded and shown queued, its credentials
/// sealed and never shown; hostile requests record nothing; only the
/// import's own outcome ends it, once.
@Suite struct ImportRouteTests {
    static let url = "http://127.0.0.1:9/disk.qcow2"

    @Test func anImportIsRecordedQueuedAndShownOnlyToThoseWhoMaySeeIt() async throws {
        let registry = try await FakeRegistry()
        let (alice, eve) = (try await registry.token("alice"), try await registry.token("eve"))
        try await registry.withServices { ingest, projector in
            let queued = try await ingest.call(
                .post, "/v1/imports", token: alice,
                json: #"{"name": "debian", "namespace": "team", "download_url": "http://bob:pa%24%24@127.0.0.1:9/disk.qcow2"}"#)
            #expect(queued.status == .accepted, "\(queued.body)")
            #expect(queued["status"] as? String == "queued")
            #expect(queued["download_url"] as? String == Self.url)
            #expect(queued["has_credentials"] as? Bool == true)
            #expect(queued["requested_by"] as? String == "alice")
            #expect(queued.string("event", "type") == "image-import-requested")
            let id = try #require(queued.string("id"))
            // The log holds the credentials sealed, not in the clear.
            let logged = String(decoding: registry.log.records.last?.encoded.value ?? [], as: UTF8.self)
            #expect(logged.contains("sealed_credentials") && !logged.contains("pa$$") && !logged.contains("bob"))

            let shown = try await projector.call(.get, "/v1/imports/\(id)", token: alice)
            #expect(shown.status == .ok)
            #expect(shown["status"] as? String == "queued")
            #expect(shown["namespace"] as? String == "team@alice")
            #expect(try await projector.call(.get, "/v1/imports/\(id)", token: eve).status == .notFound)
            #expect(try await projector.call(.get, "/v1/imports/not-a-uuid", token: alice).status == .notFound)
            #expect(try await projector.call(.get, "/v1/imports/\(id)").status == .unauthorized)

            // Djinn CI's form is the same command; a JSON registration is still one.
            let djinn = try await ingest.call(
                .post, "/v1/images", token: alice, json: #"{"name": "other", "download_url": "\#(Self.url)"}"#)
            #expect(djinn.status == .accepted)
            #expect(djinn.string("event", "type") == "image-import-requested")
            let registration = try await ingest.call(.post, "/v1/images", token: alice, json: #"{"name": "other"}"#)
            #expect(registration.status == .badRequest)

            // Paged, newest first.
            let first = try await projector.call(.get, "/v1/imports?limit=1", token: alice)
            let firstIDs = (first["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(firstIDs == [try #require(djinn.string("id"))])
            let cursor = try #require(first["next_cursor"] as? String)
            let second = try await projector.call(.get, "/v1/imports?limit=1&cursor=\(cursor)", token: alice)
            #expect((second["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            #expect((try await projector.call(.get, "/v1/imports", token: eve)["items"] as? [Any])?.isEmpty == true)
            #expect(try await projector.call(.get, "/v1/imports?cursor=bogus", token: alice).status == .badRequest)
        }
    }

    @Test func hostileImportsRecordNothing() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        let readOnly = try await registry.token("carol", [.imageRead])
        try await registry.withServices { ingest, _ in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team"}"#)
            let before = registry.log.records.count
            let cases: [(String?, String, HTTPResponse.Status)] = [
                (alice, #"{"name": "x", "download_url": "http://10.0.0.1/disk"}"#, .unprocessableContent),
                (alice, #"{"name": "x", "download_url": "http://169.254.169.254/latest/meta-data"}"#, .unprocessableContent),
                (alice, #"{"name": "x", "download_url": "http://[::ffff:10.0.0.1]/disk"}"#, .unprocessableContent),
                (alice, #"{"name": "x", "download_url": "ftp://127.0.0.1/disk"}"#, .badRequest),
                (alice, #"{"name": "x", "download_url": "http://127.0.0.1/disk#f"}"#, .badRequest),
                (alice, #"{"name": "x", "download_url": "http://127.0.0.1/disk", "sha256": "abc"}"#, .badRequest),
                (alice, #"{"name": "bad name!", "download_url": "http://127.0.0.1/disk"}"#, .badRequest),
                (alice, #"{"download_url": "http://127.0.0.1/disk"}"#, .badRequest),
                (alice, #"{"name": "x", "download_url": 5}"#, .badRequest),
                (alice, #"{"name": "x", "source": "base", "download_url": "http://127.0.0.1/disk"}"#, .notFound),
                (bob, #"{"name": "x", "namespace": "team@alice", "download_url": "http://127.0.0.1/disk"}"#, .notFound),
                (readOnly, #"{"name": "x", "download_url": "http://127.0.0.1/disk"}"#, .notFound),
                (nil, #"{"name": "x", "download_url": "http://127.0.0.1/disk"}"#, .unauthorized),
                (alice, #"{"name": "x", "download_url": "http://127.0.0.1/\#(String(repeating: "a", count: 70_000))"}"#,
                 .contentTooLarge),
            ]
            for (token, body, status) in cases {
                let answer = try await ingest.call(.post, "/v1/imports", token: token, json: body)
                #expect(answer.status == status, "\(body.prefix(120)): \(answer.body)")
                let viaImages = try await ingest.call(.post, "/v1/images", token: token, json: body)
                if body.contains("download_url\": \"") {
                    #expect(viaImages.status == status, "POST /v1/images \(body.prefix(120)): \(viaImages.body)")
                }
            }
            #expect(registry.log.records.count == before)
        }
    }

    @Test func credentialsAreRefusedWhereTheRegistryCannotSealThem() async throws {
        let registry = try await FakeRegistry(outbound: OutboundSettings(
            addressRules: try OutboundAddressRules(parsing: "127.0.0.1/32")))
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, _ in
            let refused = try await ingest.call(
                .post, "/v1/imports", token: alice, json: #"{"name": "x", "download_url": "http://u:p@127.0.0.1/d"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "webhook_key_missing")
            #expect(registry.log.records.isEmpty)
        }
    }

    @Test func aRetryWithTheSameKeyIsTheSameImport() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, _ in
            let body = #"{"name": "debian", "download_url": "\#(Self.url)"}"#
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "import-1"]
            let first = try await ingest.call(.post, "/v1/imports", token: alice, json: body, headers: key)
            let again = try await ingest.call(.post, "/v1/imports", token: alice, json: body, headers: key)
            #expect(first.status == .accepted)
            #expect(again.string("event", "id") == first.string("event", "id"))
            #expect(registry.log.records.count == 1)
            let reused = try await ingest.call(
                .post, "/v1/imports", token: alice, json: #"{"name": "other", "download_url": "\#(Self.url)"}"#,
                headers: key)
            #expect(reused.status == .unprocessableContent)
            #expect(registry.log.records.count == 1)
        }
    }

    /// The fold ends an import once, with the first outcome that names it
    /// and asks for its image; anything else is refused or changes nothing.
    @Test func onlyTheImportsOwnOutcomeEndsItOnce() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        let aliceName = try Username("alice")
        try await registry.withServices { ingest, projector in
            let queued = try await ingest.call(
                .post, "/v1/imports", token: alice, json: #"{"name": "debian", "download_url": "\#(Self.url)"}"#)
            let id = try #require(queued.string("id").flatMap(UUID.init(uuidString:)))
            func record(_ event: RegistryEvent, subject: String = "alice", actor: String = "alice") async throws {
                _ = try await registry.log.publish(EventEnvelope(
                    source: "test", actor: try Username(actor), subject: subject, event: event))
            }
            let location = try ImageLocation("file:///var/lib/djinn/images/sha256/ab/abab")
            let digest = try SHA256Digest(hex: String(repeating: "ab", count: 32))
            // Another name than the import asked for: an image, but not the import's end.
            try await record(.imageCreated(ImageCreated(
                imageID: UUID(), source: .custom, owner: aliceName, namespace: nil, name: "elsewhere", driver: .qemu,
                location: location, sha256: digest, size: 10, verified: true, importID: id)))
            #expect(try await projector.call(.get, "/v1/imports/\(id)", token: alice)["status"] as? String == "queued")
            // A failure keyed by another owner, and one of an import that does not exist, are refused.
            try await record(.imageImportFailed(ImageImportFailed(importID: id, code: .downloadFailed, message: "x")),
                             subject: "mallory", actor: "mallory")
            try await record(.imageImportFailed(ImageImportFailed(importID: UUID(), code: .downloadFailed, message: "x")))
            #expect(try await projector.call(.get, "/v1/imports/\(id)", token: alice)["status"] as? String == "queued")
            // The import's own image ends it; a later failure is refused.
            let imageID = UUID()
            try await record(.imageCreated(ImageCreated(
                imageID: imageID, source: .custom, owner: aliceName, namespace: nil, name: "debian", driver: .qemu,
                location: location, sha256: digest, size: 10, verified: true, importID: id)))
            try await record(.imageImportFailed(ImageImportFailed(importID: id, code: .downloadFailed, message: "late")))
            let done = try await projector.call(.get, "/v1/imports/\(id)", token: alice)
            #expect(done["status"] as? String == "done", "\(done.body)")
            #expect(done.string("image", "id")?.lowercased() == imageID.uuidString.lowercased())
            let admin = try await registry.token("root", [.registryAdmin])
            let audit = try await projector.call(.get, "/v1/audit?limit=100", token: admin)
            let refused = (audit["items"] as? [[String: Any]])?.filter { $0["rejected"] is String }
            #expect(refused?.count == 3, "\(audit.body)")
        }
    }

    @Test func aContentRangeIsReadStrictly() {
        #expect(ContentRange("bytes 100-199/200") == ContentRange("bytes 100-199/200"))
        #expect(ContentRange("bytes 100-199/200")?.start == 100)
        #expect(ContentRange("bytes 100-199/200")?.total == 200)
        #expect(ContentRange("bytes 0-9/*")?.total == nil)
        for text in ["bytes 100-99/200", "bytes 100-199/150", "bytes -1-5/10", "bytes +1-5/10", "bytes 1-5/+10", "items 0-1/2", "bytes 0-1", "bytes a-b/c", nil] {
            #expect(ContentRange(text) == nil, "\(text ?? "nil")")
        }
    }
}
