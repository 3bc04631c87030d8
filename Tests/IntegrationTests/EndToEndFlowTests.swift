import Foundation
import HTTPTypes
import RegistryTesting
import Testing
import RegistryHTTP

/// The whole write-then-read flow over HTTP, against the real broker and PostgreSQL.
@Suite("End to end over HTTP")
struct EndToEndFlowTests {
    @Test("create namespace, register, resolve by position, record a resolution, find it in the audit trail")
    func fullFlow() async throws {
        let alice = try await TestEnvironment.token("alice", [.namespaceWrite, .imageWrite, .imageRead])
        let scheduler = try await TestEnvironment.token("scheduler", [.imageResolve])

        try await RegistryServices.fresh().run { ingest, projector in
            let namespace = try await ingest.call(
                .post, "/v1/namespaces", token: alice, json: #"{"path": "team/infra", "visibility": "private"}"#)
            #expect(namespace.status == .accepted)
            #expect(namespace.string("event", "type") == "namespace-created")
            #expect(namespace.headers[.registryPosition] == namespace.string("event", "position"))

            // Bytes alice uploaded, registered again by digest under another name.
            let held = try await HeldImages.upload(0x11, to: ingest, token: alice)
            let registered = try await ingest.call(
                .post, "/v1/images", token: alice, json: held.image.registration(name: "my-image", namespace: "team/infra"))
            #expect(registered.status == .accepted)
            let position = try #require(registered.headers[.registryPosition])

            let resolved = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=my-image&user=alice&namespace=team/infra@alice",
                token: scheduler, headers: [.registryPosition: position])
            #expect(resolved.status == .ok)
            #expect(resolved.string("source") == "custom")
            #expect(resolved.string("namespace") == "team/infra@alice")
            #expect(resolved.string("sha256") == held.image.sha256)
            #expect(resolved.string("location") == held.location, "the registry's own copy of the bytes")
            #expect(resolved["version"] as? Int == 1)
            #expect(resolved["size"] as? Int == held.image.size)
            #expect(resolved["verified"] as? Bool == true)
            let imageID = try #require(resolved.string("image_id"))

            let recorded = try await ingest.call(
                .post, "/v1/resolutions", token: scheduler,
                json: #"{"build_id": "4711", "user": "alice", "namespace": "team/infra@alice", "driver": "qemu", "image": "my-image"}"#)
            #expect(recorded.status == .accepted)
            #expect(recorded.string("image_id") == imageID)
            #expect(recorded.string("event", "type") == "image-resolved")
            let resolutionPosition = try #require(recorded.string("event", "position"))

            let audit = try await projector.call(
                .get, "/v1/audit?build=4711&after=\(resolutionPosition)", token: alice)
            #expect(audit.status == .ok)
            let entries = try #require(audit["items"] as? [[String: Any]])
            #expect(entries.count == 1)
            let data = try #require(entries.first?["data"] as? [String: Any])
            let resolution = try #require(data["resolution"] as? [String: Any])
            #expect(data["build_id"] as? String == "4711")
            #expect(data["image"] as? String == "my-image")
            #expect(resolution["image_id"] as? String == imageID)
            #expect(resolution["sha256"] as? String == held.image.sha256)
            #expect(resolution["version"] as? Int == 1)
            #expect(resolution["verified"] as? Bool == true, "the audit trail says the bytes were checked")
        }
    }

    @Test("wait=true answers with the projected image; a second upload of a name is version 2")
    func waitForProjection() async throws {
        let bob = try await TestEnvironment.token("bob", [.imageWrite, .imageRead])
        try await RegistryServices.fresh().run { ingest, projector in
            let older = try await HeldImages.upload(0x12, to: ingest, token: bob)
            let newer = try await HeldImages.upload(0x13, to: ingest, token: bob)
            let first = try await ingest.call(
                .post, "/v1/images?wait=true", token: bob, json: older.image.registration(name: "builder"))
            #expect(first.status == .created)
            #expect(first["version"] as? Int == 1)
            #expect(first.string("owner") == "bob")
            #expect(first.string("event", "type") == "image-created")

            let second = try await ingest.call(
                .post, "/v1/images?wait=true", token: bob, json: newer.image.registration(name: "builder"))
            #expect(second.status == .created)
            #expect(second["version"] as? Int == 2)

            let resolved = try await projector.call(.get, "/v1/resolve?driver=qemu&image=builder&user=bob", token: bob)
            #expect(resolved["version"] as? Int == 2, "the name resolves to the newest version")
            #expect(resolved.string("sha256") == newer.image.sha256)

            let firstID = try #require(first.string("id"))
            let shown = try await projector.call(.get, "/v1/images/\(firstID)", token: bob)
            #expect(shown.status == .ok)
            #expect(shown["version"] as? Int == 1, "every version stays addressable by id")
        }
    }

    @Test("a resolution that finds nothing answers 404 and is still recorded")
    func notFoundIsRecorded() async throws {
        let scheduler = try await TestEnvironment.token("scheduler", [.imageResolve])
        let admin = try await TestEnvironment.token("root", [.registryAdmin])
        try await RegistryServices.fresh().run { ingest, projector in
            let answer = try await ingest.call(
                .post, "/v1/resolutions", token: scheduler,
                json: #"{"build_id": "99", "user": "carol", "driver": "qemu", "image": "missing"}"#)
            #expect(answer.status == .notFound)
            #expect(answer.errorCode == "not_found")
            let position = try #require(answer.string("event", "position"))

            let audit = try await projector.call(.get, "/v1/audit?type=image-resolved&after=\(position)", token: admin)
            let entries = try #require(audit["items"] as? [[String: Any]])
            #expect(entries.count == 1)
            let data = try #require(entries.first?["data"] as? [String: Any])
            #expect(data["build_id"] as? String == "99")
            #expect(data["resolution"] == nil)
        }
    }

    @Test("another user's private image is not found, by id or by name")
    func privateImagesDoNotLeak() async throws {
        let alice = try await TestEnvironment.token("alice", [.imageWrite, .imageRead])
        let mallory = try await TestEnvironment.token("mallory", [.imageRead])
        try await RegistryServices.fresh().run { ingest, projector in
            let held = try await HeldImages.upload(0x14, to: ingest, token: alice)
            let created = try await ingest.call(
                .post, "/v1/images?wait=true", token: alice, json: held.image.registration(name: "secret", namespace: "vault"))
            let id = try #require(created.string("id"))
            #expect(try await projector.call(.get, "/v1/images/\(id)", token: alice).status == .ok)
            #expect(try await projector.call(.get, "/v1/images/\(id)", token: mallory).status == .notFound)
            #expect(try await projector.call(.get, "/v1/images/\(id)").status == .notFound)
            let resolved = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=secret&user=alice&namespace=vault@alice", token: mallory)
            #expect(resolved.status == .notFound)
        }
    }
}
