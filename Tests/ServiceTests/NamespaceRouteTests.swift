import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryTesting
import Testing

/// `POST /v1/namespaces`, collaborators, and the namespace reads.
@Suite struct NamespaceRouteTests {
    @Test func createRecordsOneEventAndAnswersWhatWasProjected() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, projector in
            let accepted = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team"}"#)
            #expect(accepted.status == .accepted)
            #expect(accepted.string("event", "type") == "namespace-created")
            #expect(accepted.headers[.registryPosition] == "0:0")

            let created = try await ingest.call(
                .post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team/infra", "visibility": "public"}"#)
            #expect(created.status == .created)
            #expect(created["reference"] as? String == "team/infra@alice")
            #expect(created["visibility"] as? String == "public")

            let existing = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team"}"#)
            #expect(existing.status == .ok)
            #expect(existing["reference"] as? String == "team@alice")

            let shown = try await projector.call(.get, "/v1/namespaces/alice/team/infra", token: alice)
            #expect(shown.status == .ok)
            #expect(shown["collaborators"] as? [String] == [])
        }
        #expect(registry.log.events.map(\.type) == [.namespaceCreated, .namespaceCreated])
    }

    @Test func refusalsRecordNothing() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        let reader = try await registry.token("reader", [.namespaceRead])
        try await registry.withServices { ingest, _ in
            let noToken = try await ingest.call(.post, "/v1/namespaces", json: #"{"path": "team"}"#)
            #expect(noToken.status == .unauthorized)
            #expect(noToken.headers[.wwwAuthenticate] != nil)

            let badToken = try await ingest.call(.post, "/v1/namespaces", token: "not.a.token", json: #"{"path": "a"}"#)
            #expect(badToken.status == .unauthorized)

            let withoutScope = try await ingest.call(.post, "/v1/namespaces", token: reader, json: #"{"path": "team"}"#)
            #expect(withoutScope.status == .notFound)

            let badPath = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "../x"}"#)
            #expect(badPath.status == .badRequest)
            #expect(badPath.errorCode == "invalid_field")

            let badVisibility = try await ingest.call(
                .post, "/v1/namespaces", token: alice, json: #"{"path": "team", "visibility": "secret"}"#)
            #expect(badVisibility.status == .badRequest)

            let notJSON = try await ingest.call(
                .post, "/v1/namespaces", token: alice, json: #"{"path": "team"}"#, contentType: "text/plain")
            #expect(notJSON.status == .unsupportedMediaType)

            let malformed = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "#)
            #expect(malformed.status == .badRequest)

            let othersTree = try await ingest.call(
                .post, "/v1/namespaces", token: alice, json: #"{"path": "team@bob"}"#)
            #expect(othersTree.status == .notFound)
        }
        #expect(registry.log.records.isEmpty)
    }

    @Test func anOutageOfTheLogAnswers503AndARetryWithTheKeyRecordsOnce() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, _ in
            registry.log.unavailable = "broker down"
            let key: HTTPFields = [.idempotencyKey: "create-team-1"]
            let down = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team"}"#, headers: key)
            #expect(down.status == .serviceUnavailable)
            #expect(down.headers[.retryAfter] != nil)

            registry.log.unavailable = nil
            let first = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team"}"#, headers: key)
            let retry = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team"}"#, headers: key)
            #expect(first.status == .accepted)
            #expect(retry.status == .accepted)
            #expect(retry.string("event", "id") == first.string("event", "id"))

            let reused = try await ingest.call(
                .post, "/v1/namespaces", token: alice, json: #"{"path": "other"}"#, headers: key)
            #expect(reused.status == .unprocessableContent)
            #expect(reused.errorCode == "idempotency_key_reused")
        }
        #expect(registry.log.events.map(\.type) == [.namespaceCreated])
    }

    @Test func aServiceStillStartingAnswers503() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.ingest(prepared: false).test(.router) { ingest in
            let starting = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team"}"#)
            #expect(starting.status == .serviceUnavailable)
            let ready = try await ingest.call(.get, "/readyz")
            #expect(ready.status == .serviceUnavailable)
            #expect(try await ingest.call(.get, "/healthz").status == .ok)
        }
        #expect(registry.log.records.isEmpty)
    }

    @Test func collaboratorsAreManagedByTheOwnerAndSeeThePrivateTree() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team/infra"}"#)
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra", token: bob).status == .notFound)

            let byStranger = try await ingest.call(
                .post, "/v1/namespaces/alice/team/collaborators", token: bob, json: #"{"username": "bob"}"#)
            #expect(byStranger.status == .notFound)

            // The owner invites; only administrators add collaborators directly.
            let direct = try await ingest.call(
                .post, "/v1/namespaces/alice/team/collaborators?wait=true", token: alice, json: #"{"username": "bob"}"#)
            #expect(direct.status == .forbidden)
            #expect(direct.errorCode == "invite_required")
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra", token: bob).status == .notFound)
            let added = try await ingest.call(
                .post, "/v1/namespaces/alice/team/collaborators?wait=true", token: try await registry.token("operator", Scope.user + [.registryAdmin]),
                json: #"{"username": "bob"}"#)
            #expect(added.status == .created)
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra", token: bob).status == .ok)
            let owners = try await projector.call(.get, "/v1/namespaces/alice/team", token: alice)
            #expect(owners["collaborators"] as? [String] == ["bob"])
            let collaborators = try await projector.call(.get, "/v1/namespaces/alice/team", token: bob)
            #expect(collaborators["collaborators"] == nil)

            let collaboratorsNamespace = try await ingest.call(
                .post, "/v1/namespaces?wait=true", token: bob, json: #"{"path": "team/ci@alice"}"#)
            #expect(collaboratorsNamespace.status == .created)

            let badName = try await ingest.call(
                .delete, "/v1/namespaces/alice/team/collaborators/no%20such", token: alice)
            #expect(badName.status == .badRequest)
            let removed = try await ingest.call(
                .delete, "/v1/namespaces/alice/team/collaborators/bob?wait=true", token: alice)
            #expect(removed.status == .ok)
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra", token: bob).status == .notFound)
        }
    }

    @Test func anUpdateByTheOwnerCascadesVisibilityDownTheTreeAndSetsTheDescription() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team/infra/ci"}"#)
            _ = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "teams"}"#)
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra/ci", token: bob).status == .notFound)

            let accepted = try await ingest.call(
                .patch, "/v1/namespaces/alice/team", token: alice, json: #"{"visibility": "public"}"#)
            #expect(accepted.status == .accepted)
            #expect(accepted.string("event", "type") == "namespace-updated")
            for path in ["team", "team/infra", "team/infra/ci"] {
                let shown = try await projector.call(.get, "/v1/namespaces/alice/\(path)", token: bob)
                #expect(shown.status == .ok)
                #expect(shown["visibility"] as? String == "public")
            }
            // A sibling whose name merely starts the same is not below it.
            #expect(try await projector.call(.get, "/v1/namespaces/alice/teams", token: bob).status == .notFound)

            let described = try await ingest.call(
                .patch, "/v1/namespaces/alice/team/infra?wait=true", token: alice,
                json: #"{"description": "Infrastructure images", "visibility": "internal"}"#)
            #expect(described.status == .ok)
            #expect(described["description"] as? String == "Infrastructure images")
            #expect(described["visibility"] as? String == "internal")
            #expect(described["collaborators"] as? [String] == [])
            let root = try await projector.call(.get, "/v1/namespaces/alice/team", token: bob)
            #expect(root["visibility"] as? String == "public")
            #expect(root["description"] as? String == "")
            let child = try await projector.call(.get, "/v1/namespaces/alice/team/infra/ci", token: bob)
            #expect(child["visibility"] as? String == "internal")

            let cleared = try await ingest.call(
                .patch, "/v1/namespaces/alice/team/infra?wait=true", token: alice, json: #"{"description": ""}"#)
            #expect(cleared["description"] as? String == "")
        }
        #expect(registry.log.events.map(\.type).filter { $0 == .namespaceUpdated }.count == 3)
    }

    @Test func aDeleteByTheOwnerRemovesTheSubtreeWithItsImagesAndCollaboratorsAndNothingElse() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team/infra/ci"}"#)
            _ = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "teams"}"#)
            try await ingest.collaborate("bob", on: "alice/team", ownerToken: alice, inviteeToken: bob)
            let inTree = try await ingest.upload(
                Fixture.small.bytes, "/v1/images?name=tool&namespace=team/infra&wait=true", token: alice)
            let beside = try await ingest.upload(
                Fixture.small.bytes, "/v1/images?name=tool&namespace=teams&wait=true", token: alice)
            let personal = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=tool&wait=true", token: alice)
            #expect([inTree.status, beside.status, personal.status] == [.created, .created, .created])

            let deleted = try await ingest.call(.delete, "/v1/namespaces/alice/team?wait=true", token: alice)
            #expect(deleted.status == .ok)
            #expect(deleted["reference"] as? String == "team@alice")
            #expect(deleted["collaborators"] as? [String] == ["bob"])
            for path in ["team", "team/infra", "team/infra/ci"] {
                #expect(try await projector.call(.get, "/v1/namespaces/alice/\(path)", token: alice).status == .notFound)
            }
            #expect(try await projector.call(.get, "/v1/namespaces/alice/teams", token: alice).status == .ok)
            let gone = try await projector.call(.get, "/v1/images/\(inTree.string("id") ?? "")", token: alice)
            #expect(gone["deleted_at"] is String)
            for kept in [beside, personal] {
                let shown = try await projector.call(.get, "/v1/images/\(kept.string("id") ?? "")", token: alice)
                #expect(shown["deleted_at"] == nil || shown["deleted_at"] is NSNull)
            }
            // A build naming the deleted namespace finds no image there.
            let resolve = "/v1/resolve?driver=qemu&image=tool&user=alice&namespace=team/infra@alice"
            #expect(try await projector.call(.get, resolve, token: alice).status == .notFound)

            // The path can be used again, for a new namespace without bob.
            let again = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team"}"#)
            #expect(again.status == .created)
            #expect(again["collaborators"] == nil || (again["collaborators"] as? [String]) == [])
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team", token: bob).status == .notFound)
        }
        #expect(registry.log.events.map(\.type).filter { $0 == .namespaceDeleted }.count == 1)
    }

    @Test func deletesThatAreNotTheOwnersRecordNothingAndReservedWordsAreRefused() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        let reader = try await registry.token("alice", [.namespaceRead])
        try await registry.withServices { ingest, _ in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team/infra"}"#)
            try await ingest.collaborate("bob", on: "alice/team", ownerToken: alice, inviteeToken: bob)
            let before = registry.log.records.count
            #expect(try await ingest.call(.delete, "/v1/namespaces/alice/team").status == .unauthorized)
            // A collaborator may add to the tree, not delete it.
            #expect(try await ingest.call(.delete, "/v1/namespaces/alice/team", token: bob).status == .notFound)
            #expect(try await ingest.call(.delete, "/v1/namespaces/alice/team/infra", token: bob).status == .notFound)
            #expect(try await ingest.call(.delete, "/v1/namespaces/alice/team", token: reader).status == .notFound)
            #expect(try await ingest.call(.delete, "/v1/namespaces/alice/nothere", token: alice).status == .notFound)
            #expect(try await ingest.call(.delete, "/v1/namespaces/alice/te-am", token: alice).status == .badRequest)
            #expect(try await ingest.call(.delete, "/v1/namespaces/alice", token: alice).status == .notFound)
            // Words after the path that name no route are no namespace.
            #expect(try await ingest.call(.delete, "/v1/namespaces/alice/team/webhooks", token: alice).status
                == .notFound)
            #expect(try await ingest.call(.delete, "/v1/namespaces/alice/team/collaborators", token: alice).status
                == .notFound)
            #expect(registry.log.records.count == before)

            // No new namespace may use a word that names a route under one.
            for path in ["team/collaborators", "webhooks", "a/invites/b"] {
                let refused = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "\#(path)"}"#)
                #expect(refused.status == .badRequest, "\(path)")
                let upload = try await ingest.upload(
                    Fixture.small.bytes, "/v1/images?name=tool&namespace=\(path)", token: alice)
                #expect(upload.status == .badRequest, "\(path)")
            }
            #expect(registry.log.records.count == before)
        }
    }

    @Test func updatesThatAreNotTheOwnersOrChangeNothingRecordNothing() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        let reader = try await registry.token("alice", [.namespaceRead])
        try await registry.withServices { ingest, _ in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team"}"#)
            try await ingest.collaborate("bob", on: "alice/team", ownerToken: alice, inviteeToken: bob)
            let before = registry.log.records.count
            let change = #"{"visibility": "public"}"#
            #expect(try await ingest.call(.patch, "/v1/namespaces/alice/team", json: change).status == .unauthorized)
            // A collaborator sees the tree but may not change who else does.
            #expect(try await ingest.call(.patch, "/v1/namespaces/alice/team", token: bob, json: change).status
                == .notFound)
            #expect(try await ingest.call(.patch, "/v1/namespaces/alice/team", token: reader, json: change).status
                == .notFound)
            #expect(try await ingest.call(.patch, "/v1/namespaces/alice/nothere", token: alice, json: change).status
                == .notFound)
            #expect(try await ingest.call(.patch, "/v1/namespaces/alice/..", token: alice, json: change).status
                == .badRequest)
            for body in [
                "{}", #"{"visibility": "secret"}"#, #"{"description": "two\nlines"}"#, #"{"visibility": null}"#,
                "{\"description\": \"\(String(repeating: "x", count: 1025))\"}", #"{"visibility": "#, "[]",
            ] {
                let refused = try await ingest.call(.patch, "/v1/namespaces/alice/team", token: alice, json: body)
                #expect(refused.status == .badRequest, "\(body)")
            }
            #expect(try await ingest.call(
                .patch, "/v1/namespaces/alice/team", token: alice, json: change, contentType: "text/plain").status
                == .unsupportedMediaType)
            #expect(registry.log.records.count == before)
        }
    }

    @Test func listingShowsWhatTheViewerMaySeeInPages() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        try await registry.withServices { ingest, projector in
            for (path, visibility) in [("a", "public"), ("b", "private"), ("c", "internal"), ("d", "public")] {
                _ = try await ingest.call(
                    .post, "/v1/namespaces", token: alice, json: #"{"path": "\#(path)", "visibility": "\#(visibility)"}"#)
            }
            let anonymous = try await projector.call(.get, "/v1/namespaces")
            #expect(Self.references(anonymous) == ["a@alice", "d@alice"])

            let first = try await projector.call(.get, "/v1/namespaces?limit=2", token: bob)
            #expect(Self.references(first) == ["a@alice", "c@alice"])
            let cursor = try #require(first["next_cursor"] as? String)
            let second = try await projector.call(.get, "/v1/namespaces?limit=2&cursor=\(cursor)", token: bob)
            #expect(Self.references(second) == ["d@alice"])
            #expect(second["next_cursor"] == nil)

            let own = try await projector.decode(Page<NamespaceResource>.self, .get, "/v1/namespaces?owner=alice", token: alice)
            #expect(own.items.map(\.reference) == ["a@alice", "b@alice", "c@alice", "d@alice"])
            #expect(own.items.map(\.visibility) == [.public, .private, .internal, .public])
            #expect(own.nextCursor == nil)

            #expect(try await projector.call(.get, "/v1/namespaces?owner=a%20b").status == .badRequest)
            #expect(try await projector.call(.get, "/v1/namespaces?cursor=garbage").status == .badRequest)
            #expect(try await projector.call(.get, "/v1/namespaces?limit=0").status == .badRequest)
        }
    }

    static func references(_ page: JSONAnswer) -> [String] {
        (page["items"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
    }
}
