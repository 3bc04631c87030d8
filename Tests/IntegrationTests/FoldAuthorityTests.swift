import Foundation
import HTTPTypes
import HummingbirdTesting
import IngestService
import RegistryHTTP
import RegistryTesting
import Testing

/// The fold decides: a command ingest accepted on a stale read is refused by
/// the projection at its log position, and a replay refuses it again.
@Suite("The fold is the authority")
struct FoldAuthorityTests {
    @Test("an image bob registers after alice removed him, while the projector was paused, never resolves")
    func staleCollaborator() async throws {
        let services = try await RegistryServices.fresh()
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let bob = try await TestEnvironment.token("bob", GuaranteeTests.readWrite)
        let scheduler = try await TestEnvironment.token("scheduler", [.imageResolve])

        try await services.run { ingest, _ in
            // Bytes bob holds, so that a registration of them is his to make.
            try await HeldImages.upload(0x92, to: ingest, token: bob)
            let team = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team"}"#)
            #expect(team.status == .created)
            try await ingest.collaborate("bob", on: "alice/team", ownerToken: alice, inviteeToken: bob)
        }

        // The projector is stopped: ingest decides on what it last projected.
        let ingestApp = try await buildIngestApplication(settings: services.settings, logger: TestEnvironment.logger)
        let (bobsPosition, bobsEvent) = try await ingestApp.test(.live) { ingest in
            try await TestEnvironment.eventually(timeout: .seconds(60), "the ingest is ready") {
                try await ingest.call(.get, "/readyz").status == .ok
            }
            let removed = try await ingest.call(.delete, "/v1/namespaces/alice/team/collaborators/bob", token: alice)
            #expect(removed.status == .accepted)
            let registered = try await ingest.call(
                .post, "/v1/images", token: bob,
                json: try HeldImages.image(0x92).registration(name: "sneaky", namespace: "team@alice"))
            #expect(registered.status == .accepted, "ingest accepts on its stale read")
            return (try #require(registered.string("event", "position")), try #require(registered.string("event", "id")))
        }

        try await services.run { _, projector in
            let position: HTTPFields = [.registryPosition: bobsPosition]
            let resolved = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=sneaky&user=alice&namespace=team@alice", token: scheduler,
                headers: position)
            #expect(resolved.status == .notFound, "bob's image does not resolve")
            let audit = try await projector.call(.get, "/v1/audit?namespace=team@alice", token: alice, headers: position)
            let items = try #require(audit["items"] as? [[String: Any]])
            #expect(items.map { $0["type"] as? String } == [
                "namespace-created", "invite-sent", "invite-accepted", "collaborator-removed", "image-created",
            ])
            let refused = try #require(items.last)
            #expect(refused["id"] as? String == bobsEvent)
            #expect(refused["actor"] as? String == "bob")
            #expect(refused["rejected"] as? String == "bob is not the owner or a collaborator of team@alice")
            #expect(items.dropLast().allSatisfy { $0["rejected"] == nil })
        }

        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        #expect(live.images.count == 1, "only bob's own upload")
        #expect(!live.images.contains { $0.contains("|sneaky|") }, "the refused image has no row")
        let replay = try await ReadModelSnapshot.cleanReplay(of: services.settings.topic, records: live.recordsSeen)
        #expect(replay == live, "a clean replay refuses the same event")
    }

    @Test("the same bytes registered again after a deletion ingest has not seen yet make a new version")
    func staleDeletion() async throws {
        let services = try await RegistryServices.fresh()
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let scheduler = try await TestEnvironment.token("scheduler", [.imageResolve])
        let held = try HeldImages.image(0x93)

        let firstID = try await services.run { ingest, _ in
            try await HeldImages.upload(0x93, to: ingest, token: alice)
            let first = try await ingest.call(.post, "/v1/images?wait=true", token: alice, json: held.registration(name: "tool"))
            #expect(first.status == .created)
            #expect(first["version"] as? Int == 1)
            return try #require(first.string("id"))
        }

        // The projector is stopped: ingest still sees version 1 live.
        let ingestApp = try await buildIngestApplication(settings: services.settings, logger: TestEnvironment.logger)
        let position = try await ingestApp.test(.live) { ingest in
            try await TestEnvironment.eventually(timeout: .seconds(60), "the ingest is ready") {
                try await ingest.call(.get, "/readyz").status == .ok
            }
            #expect(try await ingest.call(.delete, "/v1/images/\(firstID)", token: alice).status == .accepted)
            let again = try await ingest.call(.post, "/v1/images", token: alice, json: held.registration(name: "tool"))
            #expect(again.status == .accepted, "recorded, not answered from the stale read: \(again.body)")
            return try #require(again.string("event", "position"))
        }

        try await services.run { _, projector in
            let resolved = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=tool&user=alice", token: scheduler,
                headers: [.registryPosition: position])
            #expect(resolved.status == .ok, "the re-registration follows the deletion in the log")
            #expect(resolved["version"] as? Int == 2)
            #expect(resolved.string("sha256") == held.sha256)
            #expect(resolved.string("image_id") != firstID)
        }

        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        let replay = try await ReadModelSnapshot.cleanReplay(of: services.settings.topic, records: live.recordsSeen)
        #expect(replay == live, "a clean replay decides the same")
    }
}
