import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryDomain
import RegistryHTTP
import RegistryTesting
import Testing

/// Invites against PostgreSQL and the broker: an accepted invite makes a
/// collaborator who may then read and write the private tree, a rejected
/// one makes none; the fold refuses an acceptance by anyone but the
/// invitee, and a replay decides the same.
@Suite("Invites")
struct InviteTests {
    @Test("bob accepts and writes to the private tree; carol declines and sees nothing; a forged acceptance for dave is refused")
    func acceptAndReject() async throws {
        let services = try await RegistryServices.fresh()
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let bob = try await TestEnvironment.token("bob", GuaranteeTests.readWrite)
        let carol = try await TestEnvironment.token("carol", GuaranteeTests.readWrite)
        let dave = try await TestEnvironment.token("dave", GuaranteeTests.readWrite)
        let scheduler = try await TestEnvironment.token("scheduler", [.imageResolve])

        try await services.run { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team/infra"}"#)
            let image = try await HeldImages.upload(0x99, to: ingest, token: alice, name: "tool", namespace: "team/infra")
            var ids: [String: String] = [:]
            for user in ["bob", "carol", "dave"] {
                let sent = try await ingest.call(
                    .post, "/v1/namespaces/alice/team/invites?wait=true", token: alice, json: #"{"username": "\#(user)"}"#)
                #expect(sent.status == .created)
                let id = try #require(sent.string("id"))
                ids[user] = id
            }
            let pending = try await projector.call(.get, "/v1/invites", token: carol)
            #expect((pending["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids["carol"]!])

            // Who reads the private image and resolves it for their build.
            func access(_ user: String, _ token: String) async throws -> String {
                let shown = try await projector.call(.get, "/v1/images/\(image.id)", token: token)
                let resolved = try await projector.call(
                    .get, "/v1/resolve?driver=qemu&image=tool&user=\(user)&namespace=team/infra@alice", token: scheduler)
                return "\(user) \(shown.status.code) \(resolved.status.code)"
            }
            #expect(try await access("bob", bob) == "bob 404 404")

            let accepted = try await ingest.call(.post, "/v1/invites/\(ids["bob"]!)/accept?wait=true", token: bob)
            #expect(accepted.status == .ok)
            #expect(accepted["state"] as? String == "accepted")
            let declined = try await ingest.call(.post, "/v1/invites/\(ids["carol"]!)/reject?wait=true", token: carol)
            #expect(declined["state"] as? String == "rejected")
            #expect(try await access("bob", bob) == "bob 200 200")
            #expect(try await access("carol", carol) == "carol 404 404")
            let byBob = try await HeldImages.upload(0x9A, to: ingest, token: bob, name: "tool", namespace: "team/infra@alice")
            #expect(byBob.id != image.id)

            // alice writes dave's acceptance straight to the log (ingest
            // would refuse her): the fold refuses it at its position.
            let forged = EventEnvelope(
                source: "test", actor: try Username("alice"), actorRole: .user, subject: "alice",
                event: .inviteAccepted(Invitation(
                    inviteID: try #require(UUID(uuidString: ids["dave"]!)), owner: try Username("alice"),
                    root: try NamespacePath("team"), username: try Username("dave"))))
            try await TestEnvironment.withProducer { producer in
                try await TestEnvironment.publish([forged], with: producer, topic: services.settings.topic)
            }
            try await TestEnvironment.eventually(timeout: .seconds(30), "the forged acceptance is refused") {
                let audit = try await projector.call(.get, "/v1/audit?namespace=team@alice&type=invite-accepted", token: alice)
                let items = audit["items"] as? [[String: Any]] ?? []
                return items.contains {
                    ($0["id"] as? String)?.lowercased() == forged.id.uuidString.lowercased()
                        && $0["rejected"] as? String == "only dave accepts invite \(ids["dave"]!.lowercased())"
                }
            }
            #expect(try await access("dave", dave) == "dave 404 404")
            let team = try await projector.call(.get, "/v1/namespaces/alice/team", token: alice)
            #expect(team["collaborators"] as? [String] == ["bob"])
            // dave's invite is still his to answer.
            #expect(try await ingest.call(.post, "/v1/invites/\(ids["dave"]!)/accept?wait=true", token: dave).status == .ok)
            #expect(try await access("dave", dave) == "dave 200 200")
        }

        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        #expect(live.invites.count == 3)
        let replay = try await ReadModelSnapshot.cleanReplay(of: services.settings.topic, records: live.recordsSeen)
        #expect(replay == live, "a clean replay gives the same invites and collaborators")
    }
}
