import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryDomain
import RegistryHTTP
import RegistryTesting
import Testing

/// `DELETE /v1/namespaces/{owner}/{path}` against PostgreSQL and the
/// broker: the namespace goes with its subtree, its image versions and a
/// root's collaborators; what each user and build may see and resolve
/// follows; the fold refuses a deletion by anyone but the owner, and a
/// replay decides the same.
@Suite("Namespace deletion")
struct NamespaceDeleteTests {
    @Test("deleting a root removes its tree, images and collaborators for every reader and build; builds naming it fall back to the base image; a collaborator's forged deletion is refused")
    func subtreeDelete() async throws {
        let services = try await RegistryServices.fresh()
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let bob = try await TestEnvironment.token("bob", GuaranteeTests.readWrite)
        let carol = try await TestEnvironment.token("carol", GuaranteeTests.readWrite)
        let admin = try await TestEnvironment.token("operator", GuaranteeTests.readWrite + [.registryAdmin])
        let scheduler = try await TestEnvironment.token("scheduler", [.imageResolve])

        try await services.run { ingest, projector in
            _ = try await ingest.call(
                .post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team/infra", "visibility": "internal"}"#)
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "teams"}"#)
            try await ingest.collaborate("bob", on: "alice/team", ownerToken: alice, inviteeToken: bob)
            let doomed = try await HeldImages.upload(0x95, to: ingest, token: bob, name: "tool", namespace: "team/infra@alice")
            let kept = try await HeldImages.upload(0x96, to: ingest, token: alice, name: "tool", namespace: "teams")
            let base = try HeldImages.image(0x97)
            let baseUpload = try await ingest.upload(base.file, "/v1/images?name=tool&source=base&wait=true", token: admin)
            #expect(baseUpload.status == .created)

            // Who sees and resolves what, before and after.
            func matrix() async throws -> [String] {
                var rows: [String] = []
                for (user, token) in [("alice", alice), ("bob", bob), ("carol", carol)] {
                    let shown = try await projector.call(.get, "/v1/namespaces/alice/team/infra", token: token)
                    let image = try await projector.call(.get, "/v1/images/\(doomed.id)", token: token)
                    let resolved = try await projector.call(
                        .get, "/v1/resolve?driver=qemu&image=tool&user=\(user)&namespace=team/infra@alice",
                        token: scheduler)
                    let sibling = try await projector.call(
                        .get, "/v1/resolve?driver=qemu&image=tool&user=alice&namespace=teams@alice", token: scheduler)
                    rows.append(
                        "\(user) namespace \(shown.status.code) image \(image.status.code) deleted \(image["deleted_at"] is String)"
                            + " resolves \(resolved.string("source") ?? "-") \(resolved.string("sha256") == doomed.image.sha256)"
                            + " sibling \(sibling.string("sha256") == kept.image.sha256)")
                }
                return rows
            }
            #expect(try await matrix() == [
                "alice namespace 200 image 200 deleted false resolves custom true sibling true",
                "bob namespace 200 image 200 deleted false resolves custom true sibling true",
                "carol namespace 200 image 200 deleted false resolves custom true sibling true",
            ])

            // bob, a collaborator, writes a deletion straight to the log
            // (ingest would refuse him): the fold refuses it at its position.
            let forged = EventEnvelope(
                source: "test", actor: try Username("bob"), actorRole: .user, subject: "alice",
                event: .namespaceDeleted(NamespaceDeleted(owner: try Username("alice"), path: try NamespacePath("team"))))
            try await TestEnvironment.withProducer { producer in
                try await TestEnvironment.publish([forged], with: producer, topic: services.settings.topic)
            }
            try await TestEnvironment.eventually(timeout: .seconds(30), "the forged deletion is refused") {
                let audit = try await projector.call(.get, "/v1/audit?namespace=team@alice", token: alice)
                let items = audit["items"] as? [[String: Any]] ?? []
                return items.contains {
                    ($0["id"] as? String)?.lowercased() == forged.id.uuidString.lowercased()
                        && $0["rejected"] as? String == "only the owner of team@alice deletes it"
                }
            }
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra", token: alice).status == .ok)

            let deleted = try await ingest.call(.delete, "/v1/namespaces/alice/team?wait=true", token: alice)
            #expect(deleted.status == .ok)
            #expect(deleted["collaborators"] as? [String] == ["bob"])
            // The image stays in the record, deleted, for its owner and
            // administrators; builds naming the namespace get the base image.
            #expect(try await matrix() == [
                "alice namespace 404 image 200 deleted true resolves base false sibling true",
                "bob namespace 404 image 404 deleted false resolves base false sibling true",
                "carol namespace 404 image 404 deleted false resolves base false sibling true",
            ])
            let resolvedBase = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=tool&user=bob&namespace=team/infra@alice", token: scheduler)
            #expect(resolvedBase.string("sha256") == base.sha256)

            // The audit trail files the deletion under the namespace.
            let audit = try await projector.call(.get, "/v1/audit?namespace=team@alice&type=namespace-deleted", token: alice)
            let entries = audit["items"] as? [[String: Any]] ?? []
            #expect(entries.filter { $0["rejected"] == nil || $0["rejected"] is NSNull }.count == 1)

            // bob is no collaborator of a root made again under the same name.
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team"}"#)
            let refused = try await ingest.upload(
                try HeldImages.image(0x98).file, "/v1/images?name=tool&namespace=team@alice", token: bob)
            #expect(refused.status == .notFound)
        }

        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        let replay = try await ReadModelSnapshot.cleanReplay(of: services.settings.topic, records: live.recordsSeen)
        #expect(replay == live, "a clean replay gives the same namespaces, images and collaborators")
    }
}
