import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RegistryHTTP
import RegistryTesting
import Testing

/// `Idempotency-Key` as clients expect it: scoped to the caller, the method
/// and the route; the same key with another request is refused; permission
/// is decided before the key is looked at.
@Suite("Idempotency keys")
struct IdempotencyTests {
    static let writer = UploadTests.writer

    static func keyed(_ key: String) -> HTTPFields { [.idempotencyKey: key] }

    @Test("a key reused on another route is another command, and never a way past a permission check")
    func keysAreScopedToTheRoute() async throws {
        let images = try QemuImages.directory()
        let secret = try QemuImages.make("secret.qcow2", in: images, pattern: 0x11)
        let own = try QemuImages.make("own.qcow2", in: images, pattern: 0x22)
        let alice = try await TestEnvironment.token("alice", Self.writer)
        let mallory = try await TestEnvironment.token("mallory", Self.writer)
        try await RegistryServices.fresh().run { ingest, projector in
            let private_ = try await UploadTests.upload(secret, name: "secret", to: ingest, token: alice, query: "&wait=true")
            let id = try #require(private_.string("id"))

            let namespace = try await ingest.call(
                .post, "/v1/namespaces?wait=true", token: mallory, json: #"{"path": "mine"}"#, headers: Self.keyed("k1"))
            #expect(namespace.status == .created)
            let leak = try await ingest.call(.delete, "/v1/images/\(id)?wait=true", token: mallory, headers: Self.keyed("k1"))
            #expect(leak.status == .notFound, "the key's earlier event is no answer to a command mallory may not send")
            #expect(leak.string("name") == nil && leak.string("location") == nil)

            let second = try await ingest.call(
                .post, "/v1/namespaces", token: mallory, json: #"{"path": "other"}"#, headers: Self.keyed("k2"))
            #expect(second.status == .accepted)
            let response = try await ingest.executeRequest(
                uri: "/v1/images?name=own&wait=true", method: .post,
                headers: [.authorization: "Bearer \(mallory)", .contentType: "application/x-qemu-disk",
                          .idempotencyKey: "k2"],
                body: ByteBuffer(bytes: try Data(contentsOf: own)))
            #expect(response.status == .created, "the same key on another route is a new command")
            let image = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect((image["event"] as? [String: Any])?["type"] as? String == "image-created")
            #expect(image["name"] as? String == "own")

            let stillThere = try await projector.call(.get, "/v1/images/\(id)", token: alice)
            #expect(stillThere.status == .ok)
            #expect(stillThere["deleted_at"] == nil)
        }
    }

    @Test("the same key with a different request is 422 and records nothing; the same request answers as the first")
    func keysBindTheRequest() async throws {
        let alice = try await TestEnvironment.token("alice", Self.writer)
        try await RegistryServices.fresh().run { ingest, projector in
            let first = try await ingest.call(
                .post, "/v1/namespaces", token: alice, json: #"{"path": "a"}"#, headers: Self.keyed("k3"))
            #expect(first.status == .accepted)
            let eventID = try #require(first.string("event", "id"))
            let retry = try await ingest.call(
                .post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "a"}"#, headers: Self.keyed("k3"))
            #expect(retry.string("event", "id") == eventID, "a retry is the same event")
            #expect(retry.status == .created)

            let reused = try await ingest.call(
                .post, "/v1/namespaces", token: alice, json: #"{"path": "b"}"#, headers: Self.keyed("k3"))
            #expect(reused.status == .unprocessableContent)
            #expect(reused.errorCode == "idempotency_key_reused")
            let position = try #require(retry.headers[.registryPosition])
            let missing = try await projector.call(
                .get, "/v1/namespaces/alice/b", token: alice, headers: [.registryPosition: position])
            #expect(missing.status == .notFound, "the refused request recorded nothing")

            // Administrators add collaborators directly (owners invite).
            let admin = try await TestEnvironment.token("operator", GuaranteeTests.readWrite + [.registryAdmin])
            let added = try await ingest.call(
                .post, "/v1/namespaces/alice/a/collaborators?wait=true", token: admin, json: #"{"username": "bob"}"#,
                headers: Self.keyed("k4"))
            #expect(added.status == .created)
            let removed = try await ingest.call(
                .delete, "/v1/namespaces/alice/a/collaborators/bob?wait=true", token: admin, headers: Self.keyed("k4"))
            #expect(removed.status == .ok)
            #expect((removed["collaborators"] as? [String]) == [], "the remove is not mistaken for the add")
        }
    }

    @Test("a batch is one request: the same batch reordered under its key is refused")
    func batchesBindTheirOrder() async throws {
        let images = try QemuImages.directory()
        let files = try [0x31, 0x32].map { try QemuImages.make("b\($0).qcow2", in: images, pattern: UInt8($0)) }
        let alice = try await TestEnvironment.token("alice", Self.writer)
        try await RegistryServices.fresh().run { ingest, _ in
            var items: [String] = []
            for (index, file) in files.enumerated() {
                let uploaded = try await UploadTests.upload(
                    file, name: "source\(index)", to: ingest, token: alice, query: "&wait=true")
                #expect(uploaded.status == .created)
                let digest = try QemuImages.sha256sum(file)
                let size = try Data(contentsOf: file).count
                items.append(#"{"name": "copy\#(index)", "driver": "qemu", "sha256": "\#(digest)", "size": \#(size)}"#)
            }
            let batch = try await ingest.call(
                .post, "/v1/images/batch", token: alice, json: #"{"images": [\#(items[0]), \#(items[1])]}"#,
                headers: Self.keyed("k5"))
            #expect(batch.status == .accepted || batch.status == .ok)
            let reordered = try await ingest.call(
                .post, "/v1/images/batch", token: alice, json: #"{"images": [\#(items[1]), \#(items[0])]}"#,
                headers: Self.keyed("k5"))
            #expect(reordered.status == .unprocessableContent)
            #expect(reordered.errorCode == "idempotency_key_reused")
        }
    }
}
