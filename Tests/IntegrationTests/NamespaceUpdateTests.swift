import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryDomain
import RegistryHTTP
import RegistryTesting
import Testing

/// `PATCH /v1/namespaces/{owner}/{path}` against PostgreSQL and the broker:
/// a new visibility reaches every namespace below, and what other users
/// and builds may see and resolve follows it; the fold refuses an update by
/// anyone but the owner, and a replay decides the same.
@Suite("Namespace updates")
struct NamespaceUpdateTests {
    @Test("a root made public opens its whole tree to reads and resolution, not its siblings; the fold refuses a collaborator's update")
    func visibilityCascades() async throws {
        let services = try await RegistryServices.fresh()
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let bob = try await TestEnvironment.token("bob", GuaranteeTests.readWrite)
        let scheduler = try await TestEnvironment.token("scheduler", [.imageResolve])
        let resolveAsBob = "/v1/resolve?driver=qemu&image=tool&user=bob&namespace=team/infra@alice"

        try await services.run { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team/infra/ci"}"#)
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "teams"}"#)
            try await HeldImages.upload(0x94, to: ingest, token: alice, name: "tool", namespace: "team/infra@alice")
            #expect(try await projector.call(.get, resolveAsBob, token: scheduler).status == .notFound)
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra/ci", token: bob).status == .notFound)

            let opened = try await ingest.call(
                .patch, "/v1/namespaces/alice/team?wait=true", token: alice,
                json: #"{"visibility": "public", "description": "Images of the team"}"#)
            #expect(opened.status == .ok)
            #expect(opened["description"] as? String == "Images of the team")
            for path in ["team", "team/infra", "team/infra/ci"] {
                let shown = try await projector.call(.get, "/v1/namespaces/alice/\(path)", token: bob)
                #expect(shown.status == .ok, "\(path)")
                #expect(shown["visibility"] as? String == "public")
            }
            #expect(try await projector.call(.get, "/v1/namespaces/alice/teams", token: bob).status == .notFound)
            let resolved = try await projector.call(.get, resolveAsBob, token: scheduler)
            #expect(resolved.status == .ok)
            #expect(resolved["name"] as? String == "tool")

            // bob, made a collaborator, writes an update straight to the log
            // (ingest would refuse him): the fold refuses it at its position.
            try await ingest.collaborate("bob", on: "alice/team", ownerToken: alice, inviteeToken: bob)
            let forged = EventEnvelope(
                source: "test", actor: try Username("bob"), actorRole: .user, subject: "alice",
                event: .namespaceUpdated(NamespaceUpdated(
                    owner: try Username("alice"), path: try NamespacePath("team"), visibility: .private,
                    description: nil)))
            try await TestEnvironment.withProducer { producer in
                try await TestEnvironment.publish([forged], with: producer, topic: services.settings.topic)
            }
            try await TestEnvironment.eventually(timeout: .seconds(30), "the forged update is refused") {
                let audit = try await projector.call(.get, "/v1/audit?namespace=team@alice", token: alice)
                let items = audit["items"] as? [[String: Any]] ?? []
                return items.contains {
                    ($0["id"] as? String)?.lowercased() == forged.id.uuidString.lowercased()
                        && $0["rejected"] as? String == "only the owner of team@alice changes it"
                }
            }
            let stillPublic = try await projector.call(.get, "/v1/namespaces/alice/team/infra", token: alice)
            #expect(stillPublic["visibility"] as? String == "public")
        }

        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        #expect(live.namespaces.filter { $0.contains("|public|") }.count == 3)
        let replay = try await ReadModelSnapshot.cleanReplay(of: services.settings.topic, records: live.recordsSeen)
        #expect(replay == live, "a clean replay gives the same namespaces")
    }
}
