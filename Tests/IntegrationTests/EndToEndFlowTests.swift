import Foundation
import HTTPTypes
import Testing
import RegistryHTTP

/// The whole write-then-read flow over HTTP, against the real broker and PostgreSQL.
@Suite("End to end over HTTP")
struct EndToEndFlowTests {
    static let digest = String(repeating: "c0ffee", count: 10) + "c0ff"

    static func registration(name: String, namespace: String?, digest: String = digest, size: Int = 1_048_576) -> String {
        let namespaceField = namespace.map { #""namespace": "\#($0)", "# } ?? ""
        return """
            {"name": "\(name)", \(namespaceField)"driver": "qemu",
             "location": "file:///var/lib/djinn/images/\(name).qcow2", "sha256": "\(digest)", "size": \(size)}
            """
    }

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

            let registered = try await ingest.call(
                .post, "/v1/images", token: alice, json: Self.registration(name: "my-image", namespace: "team/infra"))
            #expect(registered.status == .accepted)
            let position = try #require(registered.headers[.registryPosition])

            let resolved = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=my-image&user=alice&namespace=team/infra@alice",
                token: scheduler, headers: [.registryPosition: position])
            #expect(resolved.status == .ok)
            #expect(resolved.string("source") == "custom")
            #expect(resolved.string("namespace") == "team/infra@alice")
            #expect(resolved.string("sha256") == Self.digest)
            #expect(resolved.string("location") == "file:///var/lib/djinn/images/my-image.qcow2")
            #expect(resolved["version"] as? Int == 1)
            #expect(resolved["size"] as? Int == 1_048_576)
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
            #expect(resolution["sha256"] as? String == Self.digest)
            #expect(resolution["version"] as? Int == 1)
        }
    }

    @Test("wait=true answers with the projected image; a second upload of a name is version 2")
    func waitForProjection() async throws {
        let bob = try await TestEnvironment.token("bob", [.imageWrite, .imageRead])
        try await RegistryServices.fresh().run { ingest, projector in
            let first = try await ingest.call(
                .post, "/v1/images?wait=true", token: bob, json: Self.registration(name: "builder", namespace: nil))
            #expect(first.status == .created)
            #expect(first["version"] as? Int == 1)
            #expect(first.string("owner") == "bob")
            #expect(first.string("event", "type") == "image-created")

            let second = try await ingest.call(
                .post, "/v1/images?wait=true", token: bob,
                json: Self.registration(name: "builder", namespace: nil, digest: String(repeating: "d", count: 64)))
            #expect(second.status == .created)
            #expect(second["version"] as? Int == 2)

            let resolved = try await projector.call(.get, "/v1/resolve?driver=qemu&image=builder&user=bob", token: bob)
            #expect(resolved["version"] as? Int == 2, "the name resolves to the newest version")
            #expect(resolved.string("sha256") == String(repeating: "d", count: 64))

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
            let created = try await ingest.call(
                .post, "/v1/images?wait=true", token: alice, json: Self.registration(name: "secret", namespace: "vault"))
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
