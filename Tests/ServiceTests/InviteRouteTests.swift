import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryTesting
import Testing

/// Invites on the fakes: the owner invites, only the invitee accepts (and
/// becomes a collaborator then), the invitee declines or the owner
/// withdraws; everyone else is told the invite does not exist.
@Suite struct InviteRouteTests {
    @Test func anAcceptedInviteMakesACollaboratorAndOnlyTheInviteeAcceptsIt() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob, carol) = (
            try await registry.token("alice"), try await registry.token("bob"), try await registry.token("carol")
        )
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team/infra"}"#)
            let sent = try await ingest.call(
                .post, "/v1/namespaces/alice/team/infra/invites?wait=true", token: alice, json: #"{"username": "bob"}"#)
            #expect(sent.status == .created)
            #expect(sent["namespace"] as? String == "team@alice")
            #expect(sent["state"] as? String == "pending")
            #expect(sent["invited_by"] as? String == "alice")
            let id = try #require(sent.string("id"))
            // Sending it again answers the pending invite; nothing is recorded.
            let again = try await ingest.call(
                .post, "/v1/namespaces/alice/team/invites", token: alice, json: #"{"username": "bob"}"#)
            #expect(again.status == .ok)
            #expect(again.string("id") == id)

            // An invite is no access: bob sees nothing until he accepts.
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra", token: bob).status == .notFound)
            let mine = try await projector.call(.get, "/v1/invites", token: bob)
            #expect((mine["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            #expect((try await projector.call(.get, "/v1/invites", token: carol)["items"] as? [Any])?.isEmpty == true)
            #expect(try await projector.call(.get, "/v1/invites/\(id)", token: carol).status == .notFound)
            #expect(try await projector.call(.get, "/v1/invites/\(id)", token: alice).status == .ok)
            let pending = try await projector.call(.get, "/v1/namespaces/alice/team/invites", token: alice)
            #expect((pending["items"] as? [Any])?.count == 1)
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/invites", token: bob).status == .notFound)

            // Neither the owner nor a stranger accepts for bob.
            #expect(try await ingest.call(.post, "/v1/invites/\(id)/accept", token: alice).status == .notFound)
            #expect(try await ingest.call(.post, "/v1/invites/\(id)/accept", token: carol).status == .notFound)
            #expect(try await ingest.call(.post, "/v1/invites/\(id)/accept").status == .unauthorized)
            let accepted = try await ingest.call(.post, "/v1/invites/\(id)/accept?wait=true", token: bob)
            #expect(accepted.status == .ok)
            #expect(accepted["state"] as? String == "accepted")
            #expect(accepted["answered_by"] as? String == "bob")
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra", token: bob).status == .ok)
            let team = try await projector.call(.get, "/v1/namespaces/alice/team", token: alice)
            #expect(team["collaborators"] as? [String] == ["bob"])

            let twice = try await ingest.call(.post, "/v1/invites/\(id)/accept", token: bob)
            #expect(twice.status == .conflict)
            #expect(twice.errorCode == "invite_answered")
            let collaborator = try await ingest.call(
                .post, "/v1/namespaces/alice/team/invites", token: alice, json: #"{"username": "bob"}"#)
            #expect(collaborator.status == .conflict)
            #expect((try await projector.call(.get, "/v1/invites", token: bob)["items"] as? [Any])?.isEmpty == true)
        }
        let types: [EventType] = registry.log.events.map(\.type)
        #expect(types.filter { [.inviteSent, .inviteAccepted].contains($0) } == [.inviteSent, .inviteAccepted])
    }

    @Test func aRejectedOrWithdrawnInviteMakesNoCollaborator() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob, carol) = (
            try await registry.token("alice"), try await registry.token("bob"), try await registry.token("carol")
        )
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team"}"#)
            let toBob = try #require(try await ingest.call(
                .post, "/v1/namespaces/alice/team/invites?wait=true", token: alice, json: #"{"username": "bob"}"#
            ).string("id"))
            let toCarol = try #require(try await ingest.call(
                .post, "/v1/namespaces/alice/team/invites?wait=true", token: alice, json: #"{"username": "carol"}"#
            ).string("id"))
            // bob declines his; alice withdraws carol's; carol may not decline bob's.
            #expect(try await ingest.call(.post, "/v1/invites/\(toBob)/reject", token: carol).status == .notFound)
            let declined = try await ingest.call(.post, "/v1/invites/\(toBob)/reject?wait=true", token: bob)
            #expect(declined["state"] as? String == "rejected")
            let withdrawn = try await ingest.call(.post, "/v1/invites/\(toCarol)/reject?wait=true", token: alice)
            #expect(withdrawn["answered_by"] as? String == "alice")
            #expect(try await ingest.call(.post, "/v1/invites/\(toCarol)/accept", token: carol).status == .conflict)
            let team = try await projector.call(.get, "/v1/namespaces/alice/team", token: alice)
            #expect(team["collaborators"] as? [String] == [])
            // A new invite after a declined one is a new invite.
            let again = try await ingest.call(
                .post, "/v1/namespaces/alice/team/invites?wait=true", token: alice, json: #"{"username": "bob"}"#)
            #expect(again.status == .created)
            #expect(again.string("id") != toBob)
        }
    }

    @Test func invitesThatBreakTheRulesRecordNothing() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        let reader = try await registry.token("alice", [.namespaceRead])
        try await registry.withServices { ingest, _ in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team"}"#)
            try await ingest.collaborate("bob", on: "alice/team", ownerToken: alice, inviteeToken: bob)
            let before = registry.log.records.count
            let invite = #"{"username": "carol"}"#
            #expect(try await ingest.call(.post, "/v1/namespaces/alice/team/invites", json: invite).status == .unauthorized)
            // A collaborator writes to the tree but does not invite.
            #expect(try await ingest.call(.post, "/v1/namespaces/alice/team/invites", token: bob, json: invite).status
                == .notFound)
            #expect(try await ingest.call(.post, "/v1/namespaces/alice/team/invites", token: reader, json: invite).status
                == .notFound)
            #expect(try await ingest.call(.post, "/v1/namespaces/alice/nothere/invites", token: alice, json: invite).status
                == .notFound)
            for body in [#"{"username": "alice"}"#, #"{"username": "no body"}"#, "{}", #"{"username": 7}"#, "[", ""] {
                let refused = try await ingest.call(.post, "/v1/namespaces/alice/team/invites", token: alice, json: body)
                #expect(refused.status == .badRequest, "\(body)")
            }
            for id in ["not-a-uuid", UUID().uuidString, "../x"] {
                #expect(try await ingest.call(.post, "/v1/invites/\(id)/accept", token: bob).status == .notFound, "\(id)")
            }
            #expect(registry.log.records.count == before)
        }
    }
}
