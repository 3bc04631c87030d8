import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RegistryAPI
import RegistryDomain
import RegistryTesting
import Testing

/// The projector's reads: resolve, images, disks, audit, dead letters,
/// read-your-writes, and the routes every service serves.
@Suite struct ReadRouteTests {
    @Test func resolveFollowsDjinnsOrderForTheBuildsUser() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        let scheduler = try await registry.token("scheduler", [.imageResolve])
        let admin = try await registry.token("root", [.registryAdmin])
        try await registry.withServices { ingest, projector in
            let base = #"{"name": "ubuntu", "source": "base", "driver": "qemu", "location": "https://example.com/u.qcow2", "sha256": "\#(Fixture.other.sha256)", "size": 10}"#
            _ = try await ingest.call(.post, "/v1/images", token: admin, json: base)
            let personal = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=ubuntu&wait=true", token: alice)
            let pin = try #require(personal["sha256"] as? String)

            let forAlice = try await projector.call(.get, "/v1/resolve?driver=qemu&image=ubuntu&user=alice", token: alice)
            #expect(forAlice.status == .ok)
            #expect(forAlice["source"] as? String == "custom")
            let forBob = try await projector.decode(
                ResolutionResource.self, .get, "/v1/resolve?driver=qemu&image=ubuntu&user=bob", token: scheduler)
            #expect(forBob.source == .base)
            #expect(forBob.location == "https://example.com/u.qcow2")
            #expect(forBob.verified == false)
            let pinned = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=ubuntu@sha256:\(pin)&user=alice", token: scheduler)
            #expect(pinned["image_id"] as? String == personal["id"] as? String)
            let wrongPin = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=ubuntu@sha256:\(String(repeating: "0", count: 64))&user=alice",
                token: scheduler)
            #expect(wrongPin.status == .notFound)

            // A user resolves only for their own builds; the scheduler for anyone's.
            #expect(try await projector.call(.get, "/v1/resolve?driver=qemu&image=ubuntu&user=alice", token: bob).status
                == .notFound)
            #expect(try await projector.call(.get, "/v1/resolve?driver=qemu&image=ubuntu&user=alice").status
                == .unauthorized)
            #expect(try await projector.call(.get, "/v1/resolve?driver=qemu&image=ubuntu", token: alice).status
                == .badRequest)
            #expect(try await projector.call(.get, "/v1/resolve?driver=docker&image=ubuntu&user=alice", token: alice)
                .status == .badRequest)
            #expect(try await projector.call(.get, "/v1/resolve?driver=qemu&image=../x&user=alice", token: alice)
                .status == .badRequest)
            #expect(try await projector.call(.get, "/v1/resolve?driver=qemu&image=ubuntu&user=alice&user=bob",
                                             token: alice).status == .badRequest)
        }
    }

    @Test func recordingAResolutionAnswersItAndFilesItInTheAudit() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        let scheduler = try await registry.token("scheduler", [.imageResolve])
        try await registry.withServices { ingest, projector in
            let image = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=ubuntu&wait=true", token: alice)
            let body = #"{"build_id": "build-7", "user": "alice", "driver": "qemu", "image": "ubuntu"}"#
            let key: HTTPFields = [.idempotencyKey: "build-7"]
            let recorded = try await ingest.call(.post, "/v1/resolutions?wait=true", token: scheduler, json: body, headers: key)
            #expect(recorded.status == .ok)
            #expect(recorded["image_id"] as? String == image["id"] as? String)
            let retried = try await ingest.call(.post, "/v1/resolutions", token: scheduler, json: body, headers: key)
            #expect(retried.status == .accepted)
            #expect(retried.string("event", "id") == recorded.string("event", "id"))
            #expect(retried["image_id"] as? String == image["id"] as? String)

            // Without waiting, the answer is already the resolution the event records.
            let unwaited = try await ingest.call(
                .post, "/v1/resolutions", token: scheduler,
                json: #"{"build_id": "build-9", "user": "alice", "driver": "qemu", "image": "ubuntu"}"#)
            #expect(unwaited.status == .accepted)
            #expect(unwaited["image_id"] as? String == image["id"] as? String)
            #expect(unwaited.string("event", "type") == "image-resolved")

            let missing = try await ingest.call(
                .post, "/v1/resolutions", token: scheduler,
                json: #"{"build_id": "build-8", "user": "alice", "driver": "qemu", "image": "nothing"}"#)
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "not_found")
            #expect(missing.string("event", "type") == "image-resolved")
            #expect(try await ingest.call(.post, "/v1/resolutions", token: try await registry.token("bob"), json: body)
                .status == .notFound)
            #expect(try await ingest.call(.post, "/v1/resolutions", token: scheduler, json: #"{"user": "alice"}"#)
                .status == .badRequest)

            let audit = try await projector.call(.get, "/v1/audit?build=build-7", token: alice)
            let entries = try #require(audit["items"] as? [[String: Any]])
            #expect(entries.count == 1)
            #expect(entries.first?["type"] as? String == "image-resolved")
        }
        #expect(registry.log.events.map(\.type) == [.imageCreated, .imageResolved, .imageResolved, .imageResolved])
    }

    @Test func imagesAreListedAndShownToThoseWhoMaySeeThem() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "open", "visibility": "public"}"#)
            let open = try await ingest.upload(
                Fixture.small.bytes, "/v1/images?name=web-server&namespace=open&wait=true", token: alice)
            let mine = try await ingest.upload(Fixture.other.bytes, "/v1/images?name=secret&wait=true", token: alice)
            let (openID, mineID) = (try #require(open["id"] as? String), try #require(mine["id"] as? String))

            #expect(Self.names(try await projector.call(.get, "/v1/images", token: alice)) == Set(["web-server", "secret"]))
            #expect(Self.names(try await projector.call(.get, "/v1/images", token: bob)) == ["web-server"])
            #expect(Self.names(try await projector.call(.get, "/v1/images?search=SERV", token: alice)) == ["web-server"])
            #expect(Self.names(try await projector.call(.get, "/v1/images?search=%25", token: alice)).isEmpty)
            #expect(Self.names(try await projector.call(.get, "/v1/images?namespace=open@alice", token: bob))
                == ["web-server"])
            #expect(try await projector.call(.get, "/v1/images?namespace=@@", token: bob).status == .badRequest)

            let page = try await projector.call(.get, "/v1/images?limit=1", token: alice)
            let cursor = try #require(page["next_cursor"] as? String)
            let rest = try await projector.call(.get, "/v1/images?limit=1&cursor=\(cursor)", token: alice)
            #expect(Self.names(page).union(Self.names(rest)) == Set(["web-server", "secret"]))

            #expect(try await projector.call(.get, "/v1/images/\(openID)").status == .ok)
            #expect(try await projector.call(.get, "/v1/images/\(mineID)", token: bob).status == .notFound)
            #expect(try await projector.call(.get, "/v1/images/\(mineID)", token: alice)["name"] as? String == "secret")
            #expect(try await projector.call(.get, "/v1/images/nope", token: alice).status == .notFound)
        }
    }

    @Test func newestListsEachImagesNewestLiveVersionOnce() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "ci"}"#)
            var runners: [String] = []
            for fixture in [Fixture.small, Fixture.other] {
                let image = try await ingest.upload(fixture.bytes, "/v1/images?name=runner&namespace=ci&wait=true", token: alice)
                runners.append(try #require(image["id"] as? String))
            }
            // The same name elsewhere (personal) is another image.
            let personal = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=runner&wait=true", token: alice)
            let personalID = try #require(personal["id"] as? String)
            func newest() async throws -> Set<String> {
                let page = try await projector.call(.get, "/v1/images?newest=true&search=runner", token: alice)
                return Set((page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            }
            #expect(try await newest() == Set([runners[1], personalID]))
            let all = try await projector.call(.get, "/v1/images?search=runner", token: alice)
            #expect((all["items"] as? [Any])?.count == 3)
            // Deleting the newest makes the one before it the newest.
            _ = try await ingest.call(.delete, "/v1/images/\(runners[1])?wait=true&force=true", token: alice)
            #expect(try await newest() == Set([runners[0], personalID]))
            #expect(try await projector.call(.get, "/v1/images?newest=yes", token: alice).status == .badRequest)
        }
    }

    @Test func aDiskIsServedWholeOrByRangeToThoseWhoMaySeeIt() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        try await registry.withServices { ingest, projector in
            let image = try await ingest.upload(Fixture.small.bytes, "/v1/images?name=ubuntu&wait=true", token: alice)
            let disk = "/v1/images/\(try #require(image["id"] as? String))/disk"
            let auth: HTTPFields = [.authorization: "Bearer \(alice)"]

            let whole = try await projector.executeRequest(uri: disk, method: .get, headers: auth, body: nil)
            #expect(whole.status == .ok)
            #expect(Array(buffer: whole.body) == Fixture.small.bytes)
            #expect(whole.headers[.eTag] == "\"sha256:\(Fixture.small.sha256)\"")

            var ranged = auth
            ranged[.range] = "bytes=4-7"
            let part = try await projector.executeRequest(uri: disk, method: .get, headers: ranged, body: nil)
            #expect(part.status == .partialContent)
            #expect(Array(buffer: part.body) == Array(Fixture.small.bytes[4...7]))
            #expect(part.headers[.contentRange] == "bytes 4-7/\(Fixture.small.bytes.count)")

            ranged[.range] = "bytes=999999-"
            let beyond = try await projector.executeRequest(uri: disk, method: .get, headers: ranged, body: nil)
            #expect(beyond.status == .rangeNotSatisfiable)

            let head = try await projector.executeRequest(uri: disk, method: .head, headers: auth, body: nil)
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == String(Fixture.small.bytes.count))

            let bobs = try await projector.executeRequest(
                uri: disk, method: .get, headers: [.authorization: "Bearer \(bob)"], body: nil)
            #expect(bobs.status == .notFound)
        }
    }

    @Test func theAuditShowsUsersWhatConcernsThemAndAdministratorsEverything() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        let admin = try await registry.token("root", [.registryAdmin])
        try await registry.withServices { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "a"}"#)
            _ = try await ingest.call(.post, "/v1/namespaces", token: bob, json: #"{"path": "b"}"#)
            // Refused by the fold: bob is no collaborator of alice's tree.
            _ = registry.log.append(CloudEventsCodec.encode(EventEnvelope(
                id: EventID.make(), source: "route-tests", actor: try Username("bob"), actorRole: .user,
                subject: "alice", requestID: nil,
                event: .namespaceCreated(NamespaceCreated(
                    owner: try Username("alice"), path: try NamespacePath("a/b"), visibility: nil)))))

            let alices = try await projector.call(.get, "/v1/audit", token: alice)
            let entries = try #require(alices["items"] as? [[String: Any]])
            #expect(entries.count == 2)
            #expect(entries.last?["rejected"] as? String != nil)
            let everything = try await projector.call(.get, "/v1/audit?limit=2", token: admin)
            #expect((everything["items"] as? [Any])?.count == 2)
            let next = try #require(everything["next_cursor"] as? String)
            let rest = try await projector.call(.get, "/v1/audit?limit=2&cursor=\(next)", token: admin)
            #expect((rest["items"] as? [Any])?.count == 1)
            let bobsOnly = try await projector.call(.get, "/v1/audit?user=bob&type=namespace-created", token: admin)
            #expect((bobsOnly["items"] as? [Any])?.count == 1)

            #expect(try await projector.call(.get, "/v1/audit").status == .unauthorized)
            #expect(try await projector.call(.get, "/v1/audit?type=bogus", token: admin).status == .badRequest)
            #expect(try await projector.call(.get, "/v1/audit?since=yesterday", token: admin).status == .badRequest)
            #expect(try await projector.call(.get, "/v1/audit?image=1", token: admin).status == .badRequest)
        }
        #expect(try await registry.readModel.namespace(NamespaceReference(parsing: "a/b@alice", defaultOwner: nil)) == nil)
    }

    @Test func deadLettersAreForAdministratorsWithTheRecordsBytes() async throws {
        let registry = try await FakeRegistry()
        let admin = try await registry.token("root", [.registryAdmin])
        try await registry.withServices { _, projector in
            registry.log.append(EncodedEvent(key: [0xFF], headers: [.init(name: "ce_type", value: [0, 1])], value: Array("{".utf8)))
            let letters = try await projector.call(.get, "/v1/admin/dead-letters", token: admin)
            let items = try #require(letters["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["value"] as? String == Data("{".utf8).base64EncodedString())
            #expect(try await projector.call(.get, "/v1/admin/dead-letters", token: try await registry.token("alice"))
                .status == .notFound)
            #expect(try await projector.call(.get, "/v1/admin/dead-letters?cursor=x", token: admin).status == .badRequest)
        }
    }

    @Test func readYourWritesWaitsForThePositionAndGivesUpWith504() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, projector in
            registry.log.projects = false
            let accepted = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team"}"#)
            let position = try #require(accepted.headers[.registryPosition])
            let waited = try await projector.call(
                .get, "/v1/namespaces/alice/team", token: alice, headers: [.registryPosition: position])
            #expect(waited.status == .gatewayTimeout)
            #expect(waited.errorCode == "position_not_reached")
            #expect(try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "x"}"#)
                .status == .gatewayTimeout)

            registry.log.projects = true
            #expect(try await projector.call(.get, "/v1/namespaces/alice/team?after=\(position)", token: alice).status
                == .ok)
            #expect(try await projector.call(.get, "/v1/namespaces?after=zero", token: alice).status == .badRequest)
        }
    }

    @Test func everyServiceAnswersHealthAndItsContract() async throws {
        let registry = try await FakeRegistry()
        try await registry.withServices { ingest, projector in
            for client in [ingest, projector] {
                #expect(try await client.call(.get, "/healthz").status == .ok)
                #expect(try await client.call(.get, "/readyz").status == .ok)
                let contract = try await client.call(.get, "/openapi.json")
                #expect(contract["openapi"] as? String != nil)
                #expect(try await client.call(.get, "/v1/nothing-here").status == .notFound)
                let metrics = try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
                #expect(metrics.status == .ok)
                let text = String(buffer: metrics.body)
                // Every family has help text; Hummingbird's are renamed by Prometheus' conventions.
                let typed = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
                    .map { $0.split(separator: " ")[2] }
                let helped = Set(text.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }
                    .map { $0.split(separator: " ")[2] })
                #expect(!typed.isEmpty && typed.allSatisfy(helped.contains), "families without help text")
                #expect(text.contains("# TYPE http_server_requests_total counter"))
                #expect(!text.contains("hb_requests"))
                #expect(text.contains("registry_ready{service=\"image-") && text.contains("registry_build_info{"))
                #expect(text.contains("process_resident_memory_bytes "))
            }
            #expect(try await ingest.call(.post, "/v1/namespaces?wait=maybe", json: "{}").status == .badRequest)
        }
    }

    static func names(_ page: JSONAnswer) -> Set<String> {
        Set((page["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
    }
}

/// Which check answers first when a request breaks several rules.
@Suite struct CheckOrderTests {
    @Test func aRouteThatNeedsATokenSaysSoBeforeLookingAtAPosition() async throws {
        let registry = try await FakeRegistry()
        let malformed: HTTPFields = [.registryPosition: ""]
        try await registry.withServices { ingest, projector in
            let needingTokens: [(any TestClientProtocol, HTTPRequest.Method, String)] = [
                (ingest, .post, "/v1/namespaces"), (ingest, .delete, "/v1/images/x"),
                (projector, .get, "/v1/audit"), (projector, .get, "/v1/resolve?driver=qemu&image=a&user=b"),
                (projector, .get, "/v1/admin/dead-letters"),
            ]
            for (client, method, uri) in needingTokens {
                let answer = try await client.call(method, uri, json: "{}", headers: malformed)
                #expect(answer.status == .unauthorized, "\(method) \(uri)")
            }
            #expect(try await projector.call(.get, "/v1/images", headers: malformed).status == .badRequest)
        }
    }
}
