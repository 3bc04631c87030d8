import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryRuntime
import RegistryTesting
import Testing

/// Webhook routes on the fakes: the owner adds, lists and deletes a
/// namespace's webhooks; the secret is sealed in the log and never shown;
/// hostile URLs and everyone but the owner are refused, recording nothing.
@Suite struct WebhookRouteTests {
    @Test func theOwnerAddsListsAndDeletesWebhooksAndTheSecretIsNeverShown() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team/infra"}"#)
            let created = try await ingest.call(
                .post, "/v1/namespaces/alice/team/webhooks?wait=true", token: alice,
                json: #"{"url": "http://127.0.0.1:9/hook", "secret": "s3cret-value", "events": ["namespaces", "images"]}"#)
            #expect(created.status == .created)
            #expect(created["events"] as? [String] == ["images", "namespaces"])
            #expect(created["has_secret"] as? Bool == true)
            #expect(created["active"] as? Bool == true)
            #expect(created["secret"] == nil)
            let id = try #require(created.string("id"))

            // The log holds the secret sealed, not in the clear.
            let logged = String(decoding: registry.log.records.last?.encoded.value ?? [], as: UTF8.self)
            #expect(logged.contains("sealed_secret") && !logged.contains("s3cret-value"))

            let listed = try await projector.call(.get, "/v1/namespaces/alice/team/webhooks", token: alice)
            #expect((listed["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/webhooks/\(id)", token: alice).status == .ok)
            let deliveries = try await projector.call(
                .get, "/v1/namespaces/alice/team/webhooks/\(id)/deliveries", token: alice)
            #expect((deliveries["items"] as? [Any])?.isEmpty == true)
            // A webhook belongs to its namespace: not found under another.
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/infra/webhooks/\(id)", token: alice).status
                == .notFound)

            let deleted = try await ingest.call(.delete, "/v1/namespaces/alice/team/webhooks/\(id)?wait=true", token: alice)
            #expect(deleted.status == .ok)
            #expect(deleted["deleted_at"] is String)
            #expect((try await projector.call(.get, "/v1/namespaces/alice/team/webhooks", token: alice)["items"] as? [Any])?
                .isEmpty == true)
            #expect(try await ingest.call(.delete, "/v1/namespaces/alice/team/webhooks/\(id)", token: alice).status
                == .notFound)
        }
        let types = registry.log.events.map(\.type)
        #expect(types.filter { [.webhookCreated, .webhookDeleted].contains($0) } == [.webhookCreated, .webhookDeleted])
    }

    @Test func hostileWebhooksAndOtherUsersRecordNothing() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team"}"#)
            try await ingest.collaborate("bob", on: "alice/team", ownerToken: alice, inviteeToken: bob)
            let before = registry.log.records.count
            let good = #"{"url": "http://127.0.0.1:9/hook"}"#
            #expect(try await ingest.call(.post, "/v1/namespaces/alice/team/webhooks", json: good).status == .unauthorized)
            // A collaborator writes to the tree, but its webhooks are the owner's.
            #expect(try await ingest.call(.post, "/v1/namespaces/alice/team/webhooks", token: bob, json: good).status
                == .notFound)
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team/webhooks", token: bob).status == .notFound)
            #expect(try await ingest.call(.post, "/v1/namespaces/alice/nothere/webhooks", token: alice, json: good).status
                == .notFound)
            let forbidden = [
                "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://127.0.0.2/",
                "http://[::ffff:7f00:2]/", "http://[fe80::1]/", "http://192.168.0.1:8080/x", "http://0.0.0.0/",
            ]
            for url in forbidden {
                let refused = try await ingest.call(
                    .post, "/v1/namespaces/alice/team/webhooks", token: alice, json: #"{"url": "\#(url)"}"#)
                #expect(refused.status == .unprocessableContent, "\(url)")
                #expect(refused.errorCode == "forbidden_address", "\(url)")
            }
            let malformed = [
                #"{"url": "ftp://127.0.0.1/"}"#, #"{"url": "http://u:p@127.0.0.1/"}"#, #"{"url": "127.0.0.1/hook"}"#,
                #"{"url": "http://127.0.0.1/", "events": ["pushes"]}"#, #"{"url": "http://127.0.0.1/", "events": []}"#,
                #"{"url": "http://127.0.0.1/", "events": ["images", "images"]}"#, #"{"url": "http://127.0.0.1/", "secret": ""}"#,
                "{\"url\": \"http://127.0.0.1/\", \"secret\": \"\(String(repeating: "s", count: 257))\"}",
                #"{"url": "http://127.0.0.1/", "secret": "line\nbreak"}"#, "{}", #"{"url": 7}"#,
            ]
            for body in malformed {
                let refused = try await ingest.call(.post, "/v1/namespaces/alice/team/webhooks", token: alice, json: body)
                #expect(refused.status == .badRequest, "\(body)")
            }
            for id in ["nope", UUID().uuidString] {
                #expect(try await ingest.call(.delete, "/v1/namespaces/alice/team/webhooks/\(id)", token: alice).status
                    == .notFound)
                #expect(try await ingest.call(
                    .post, "/v1/namespaces/alice/team/webhooks/\(id)/deliveries/\(UUID().uuidString)/redeliver",
                    token: alice).status == .notFound)
            }
            #expect(registry.log.records.count == before)
        }
    }

    @Test func aSecretIsRefusedWhereTheRegistryCannotSealIt() async throws {
        let registry = try await FakeRegistry(outbound: OutboundSettings(
            addressRules: try OutboundAddressRules(parsing: "127.0.0.1/32")))
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, _ in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "team"}"#)
            let before = registry.log.records.count
            let refused = try await ingest.call(
                .post, "/v1/namespaces/alice/team/webhooks", token: alice,
                json: #"{"url": "http://127.0.0.1:9/hook", "secret": "s3cret"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "webhook_key_missing")
            #expect(registry.log.records.count == before)
            let unsigned = try await ingest.call(
                .post, "/v1/namespaces/alice/team/webhooks", token: alice, json: #"{"url": "http://127.0.0.1:9/hook"}"#)
            #expect(unsigned.status == .accepted)
        }
    }
}
