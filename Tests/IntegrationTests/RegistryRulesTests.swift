import Foundation
import HTTPTypes
import RegistryAuth
import RegistryHTTP
import RegistryTesting
import Testing

/// Djinn CI's rules as users meet them: versions and pins, deletion, base
/// images and shadowing, collaborators, on-the-fly namespaces.
@Suite("Registry rules end to end")
struct RegistryRulesTests {
    static let readWrite: [Scope] = [.imageRead, .imageWrite, .namespaceRead, .namespaceWrite]

    @Test("a pinned digest resolves that version; a deleted version stops resolving but stays in the audit trail")
    func pinsAndDeletion() async throws {
        let alice = try await TestEnvironment.token("alice", Self.readWrite)
        try await RegistryServices.fresh().run { ingest, projector in
            let older = try await HeldImages.upload(0x21, to: ingest, token: alice).image
            let newer = try await HeldImages.upload(0x22, to: ingest, token: alice).image
            let first = try await ingest.call(.post, "/v1/images?wait=true", token: alice,
                json: older.registration(name: "tool"))
            let second = try await ingest.call(.post, "/v1/images?wait=true", token: alice,
                json: newer.registration(name: "tool"))
            #expect(second["version"] as? Int == 2)
            let again = try await ingest.call(.post, "/v1/images?wait=true", token: alice,
                json: newer.registration(name: "tool"))
            #expect(again.status == .ok, "the same bytes again are not a new version")
            #expect(again["version"] as? Int == 2 && again.string("id") == second.string("id"))

            let pinned = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=tool@sha256:\(older.sha256)&user=alice", token: alice)
            #expect(pinned["version"] as? Int == 1)
            #expect(pinned.string("image_id") == first.string("id"))

            let secondID = try #require(second.string("id"))
            let deleted = try await ingest.call(.delete, "/v1/images/\(secondID)?wait=true", token: alice)
            #expect(deleted.status == .ok)
            #expect(deleted.string("deleted_at") != nil)
            let afterDelete = try await projector.call(.get, "/v1/resolve?driver=qemu&image=tool&user=alice", token: alice)
            #expect(afterDelete["version"] as? Int == 1, "the newest live version wins")
            let deletedAgain = try await ingest.call(.delete, "/v1/images/\(secondID)", token: alice)
            #expect(deletedAgain.status == .notFound)

            let history = try await projector.call(.get, "/v1/audit?image=\(secondID)", token: alice)
            let types = (history["items"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            #expect(types == ["image-created", "image-created", "image-deleted"],
                    "the registration of its bytes again is in the version's history")
        }
    }

    @Test("base images resolve for everyone; a custom image shadows one only for its owner")
    func baseImagesAndShadowing() async throws {
        let admin = try await TestEnvironment.token("root", [.registryAdmin])
        let alice = try await TestEnvironment.token("alice", Self.readWrite)
        let carol = try await TestEnvironment.token("carol", Self.readWrite)
        // arch is a real file in the base-image root, which the registry reads
        // and checks like an upload; debian/stable is an s3:// location it
        // takes on the administrator's word and marks unverified.
        let baseRoot = FileManager.default.temporaryDirectory.appendingPathComponent("registry-base-\(UUID().uuidString)")
        let archImage = try HeldImages.image(0x23)
        let archFile = try archImage.copy(into: baseRoot.appendingPathComponent("qemu/x86_64"), name: "arch")
        let seeds = [
            (name: "arch", location: archFile.absoluteString, sha256: archImage.sha256, size: archImage.size, verified: true),
            (name: "debian/stable", location: "s3://djinn-base-images/qemu/x86_64/debian/stable",
             sha256: String(repeating: "b", count: 64), size: 5, verified: false),
        ]
        @Sendable func seed(_ name: String, location: String, sha256: String, size: Int) -> String {
            #"{"source": "base", "name": "\#(name)", "driver": "qemu", "location": "\#(location)", "sha256": "\#(sha256)", "size": \#(size)}"#
        }
        let services = try await RegistryServices.fresh { $0.baseImagesDirectory = baseRoot.path }
        try await services.run { ingest, projector in
            for base in seeds {
                let seeded = try await ingest.call(.post, "/v1/images?wait=true", token: admin,
                    json: seed(base.name, location: base.location, sha256: base.sha256, size: base.size))
                #expect(seeded.status == .created, "\(base.name): \(seeded.body)")
                #expect(seeded["verified"] as? Bool == base.verified, "\(base.name)")
            }
            let archID = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=arch&user=alice", token: alice).string("image_id")
            let reseeded = try await ingest.call(.post, "/v1/images?wait=true", token: admin,
                json: seed("arch", location: archFile.absoluteString, sha256: archImage.sha256, size: archImage.size))
            #expect(reseeded.status == .ok, "seeding twice makes no new version")
            #expect(reseeded.string("id") == archID && reseeded["version"] as? Int == 1)
            let notAdmin = try await ingest.call(.post, "/v1/images", token: alice,
                json: seed("arch", location: archFile.absoluteString, sha256: archImage.sha256, size: archImage.size))
            #expect(notAdmin.status == .notFound)

            let shadow = try await HeldImages.upload(0x24, to: ingest, token: alice).image
            _ = try await ingest.call(.post, "/v1/images?wait=true", token: alice, json: shadow.registration(name: "arch"))
            let forAlice = try await projector.call(.get, "/v1/resolve?driver=qemu&image=arch&user=alice", token: alice)
            #expect(forAlice.string("source") == "custom")
            #expect(forAlice.string("sha256") == shadow.sha256)
            let forCarol = try await projector.call(.get, "/v1/resolve?driver=qemu&image=arch&user=carol", token: carol)
            #expect(forCarol.string("source") == "base")
            #expect(forCarol.string("location") == archFile.absoluteString)
            #expect(forCarol["verified"] as? Bool == true)
            let slashName = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=debian/stable&user=carol&namespace=any@carol", token: carol)
            #expect(slashName.string("source") == "base", "a name with '/' is always a base image")
            #expect(slashName["verified"] as? Bool == false, "an s3:// location is taken on trust")
        }
    }

    @Test("collaborators see and write the whole tree until removed; namespaces appear with their first image")
    func collaborators() async throws {
        let alice = try await TestEnvironment.token("alice", Self.readWrite)
        let bob = try await TestEnvironment.token("bob", Self.readWrite)
        try await RegistryServices.fresh().run { ingest, projector in
            let alicesBytes = try await HeldImages.upload(0x25, to: ingest, token: alice).image
            let bobsBytes = try await HeldImages.upload(0x26, to: ingest, token: bob).image
            let made = try await ingest.call(.post, "/v1/images?wait=true", token: alice,
                json: alicesBytes.registration(name: "ci", namespace: "team/infra/deep"))
            #expect(made.status == .created)
            let namespace = try await projector.call(.get, "/v1/namespaces/alice/team/infra/deep", token: alice)
            #expect(namespace.string("visibility") == "private", "created on the fly, private")
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra/deep", token: bob).status == .notFound)

            // An invite to a namespace below the root is to the root's tree.
            let accepted = try await ingest.collaborate(
                "bob", on: "alice/team/infra", ownerToken: alice, inviteeToken: bob)
            #expect(accepted.string("namespace") == "team@alice")
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra/deep", token: bob).status == .ok)
            let byBob = try await ingest.call(.post, "/v1/images?wait=true", token: bob,
                json: bobsBytes.registration(name: "ci", namespace: "team/infra/deep@alice"))
            #expect(byBob.status == .created)
            #expect(byBob["version"] as? Int == 2)
            #expect(try await ingest.call(.post, "/v1/namespaces/alice/team/collaborators", token: bob,
                                          json: #"{"username": "mallory"}"#).status == .notFound,
                    "only the owner manages collaborators")

            let removed = try await ingest.call(.delete, "/v1/namespaces/alice/team/collaborators/bob?wait=true", token: alice)
            #expect(removed.status == .ok)
            #expect((removed["collaborators"] as? [String]) == [])
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra/deep", token: bob).status == .notFound)
            let listed = try await projector.call(.get, "/v1/namespaces?owner=alice", token: alice)
            let paths = (listed["items"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
            #expect(paths == ["team", "team/infra", "team/infra/deep"])
        }
    }

    @Test("concurrent creations: one namespace, two versions, identical after a replay from offset 0")
    func concurrentCreations() async throws {
        let alice = try await TestEnvironment.token("alice", Self.readWrite)
        let services = try await RegistryServices.fresh()
        try await services.run { ingest, _ in
            let versionA = try await HeldImages.upload(0x27, to: ingest, token: alice).image
            let versionB = try await HeldImages.upload(0x28, to: ingest, token: alice).image
            async let first = ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "race"}"#)
            async let second = ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "race"}"#)
            let namespaces = try await [first, second]
            #expect(namespaces.allSatisfy { [.created, .ok].contains($0.status) })
            async let imageA = ingest.call(.post, "/v1/images?wait=true", token: alice,
                json: versionA.registration(name: "same", namespace: "race"))
            async let imageB = ingest.call(.post, "/v1/images?wait=true", token: alice,
                json: versionB.registration(name: "same", namespace: "race"))
            let versions = try await [imageA, imageB].compactMap { $0["version"] as? Int }.sorted()
            #expect(versions == [1, 2])
        }
        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        #expect(live.namespaces.count == 1)
        #expect(live.images.count == 4, "the two uploads of the bytes and the two versions")
        #expect(live.images.filter { $0.contains("|alice|race|same|") }.count == 2)

        let replay = try await ReadModelSnapshot.cleanReplay(of: services.settings.topic, records: live.recordsSeen)
        #expect(replay == live)
    }
}
