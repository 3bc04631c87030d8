import Foundation
import HTTPTypes
import HummingbirdTesting
import ProjectorService
import Kafka
import RegistryAuth
import RegistryDomain
import RegistryHTTP
import RegistryTesting
import Testing

/// Poison records, safe retries across replicas, bounded read-your-writes.
@Suite("Guarantees")
struct GuaranteeTests {
    static let readWrite: [Scope] = [.imageRead, .imageWrite, .namespaceRead, .namespaceWrite]

    @Test("poison records are dead-lettered with their reason and the partition keeps moving")
    func poisonRecords() async throws {
        let services = try await RegistryServices.fresh()
        let alice = try Username("alice")
        let good = CloudEventsCodec.encode(EventEnvelope(
            source: "test", actor: alice, subject: "alice",
            event: .namespaceCreated(NamespaceCreated(owner: alice, path: try NamespacePath("after"), visibility: nil))))
        func variant(_ change: (inout EncodedEvent) -> Void) -> EncodedEvent {
            var record = CloudEventsCodec.encode(EventEnvelope(
                source: "test", actor: alice, subject: "alice",
                event: .namespaceCreated(NamespaceCreated(owner: alice, path: try! NamespacePath("x"), visibility: nil))))
            change(&record)
            return record
        }
        func setHeader(_ name: String, _ value: String, _ record: inout EncodedEvent) {
            record.headers.removeAll { $0.name == name }
            record.headers.append(.init(name: name, value: Array(value.utf8)))
        }
        let baseWithOwner = CloudEventsCodec.encode(EventEnvelope(
            source: "test", actor: alice, subject: "alice",
            event: .imageCreated(ImageCreated(
                imageID: EventID.make(), source: .base, owner: alice, namespace: nil, name: "arch", driver: .qemu,
                location: try ImageLocation("file:///var/lib/djinn/images/arch"),
                sha256: try SHA256Digest(hex: String(repeating: "a", count: 64)), size: 1))))
        let poison: [(EncodedEvent, String)] = [
            (EncodedEvent(key: Array("alice".utf8), headers: [], value: Array("garbage".utf8)), "missing CloudEvents attribute"),
            (variant { setHeader("ce_type", "image-exploded", &$0) }, "unknown event type"),
            (variant { setHeader("ce_schemaversion", "9", &$0) }, "unsupported schema version"),
            (variant { $0.value = Array("{not json".utf8) }, "undecodable"),
            (baseWithOwner, "no owner"),
        ]
        let admin = try await TestEnvironment.token("root", [.registryAdmin])
        let alicesToken = try await TestEnvironment.token("alice", Self.readWrite)
        try await services.run { _, projector in
            try await TestEnvironment.withProducer { producer in
                for record in poison.map(\.0) + [good] {
                    _ = try await producer.send(
                        topic: services.settings.topic, key: record.key, value: record.value,
                        headers: record.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
                }
                let last = try await producer.send(
                    topic: services.settings.topic, key: good.key, value: good.value,
                    headers: good.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
                let after = try await projector.call(
                    .get, "/v1/namespaces/alice/after", token: alicesToken,
                    headers: [.registryPosition: "\(last.partition):\(last.offset)"])
                #expect(after.status == .ok, "the good event after the poison was applied")
            }
            let letters = try await projector.call(.get, "/v1/admin/dead-letters", token: admin)
            let items = try #require(letters["items"] as? [[String: Any]], "\(letters.status) \(letters.body)")
            #expect(items.count == poison.count)
            for (item, (_, reason)) in zip(items, poison) {
                #expect((item["reason"] as? String)?.contains(reason) == true, "\(item["reason"] ?? "")")
            }
            #expect(items.first?["value"] as? String == Data("garbage".utf8).base64EncodedString())
            let forbidden = try await projector.call(.get, "/v1/admin/dead-letters", token: alicesToken)
            #expect(forbidden.status == .notFound)
        }
    }

    @Test("a retried command with the same Idempotency-Key is one event, whichever ingest process it reaches")
    func idempotentRetries() async throws {
        let alice = try await TestEnvironment.token("alice", Self.readWrite)
        let scheduler = try await TestEnvironment.token("scheduler", [.imageResolve])
        try await RegistryServices.fresh().runTwoIngestProcesses { first, second, projector in
            let held = try await HeldImages.upload(0x61, to: first, token: alice)
            let body = held.image.registration(name: "retried")
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "upload-7f3a"]
            async let viaFirst = first.call(.post, "/v1/images", token: alice, json: body, headers: key)
            async let viaSecond = second.call(.post, "/v1/images", token: alice, json: body, headers: key)
            let answers = try await [viaFirst, viaSecond]
            #expect(answers.allSatisfy { $0.status == .accepted }, "\(answers.map { "\($0.status) \($0.body)" })")
            #expect(answers[0].string("event", "id") == answers[1].string("event", "id"), "the same event id")

            var retryHeaders = key
            retryHeaders[.registryPosition] = answers[1].string("event", "position")
            let later = try await second.call(.post, "/v1/images?wait=true", token: alice, json: body, headers: retryHeaders)
            #expect(later.status == .created)
            #expect(later.string("event", "id") == answers[0].string("event", "id"), "the original answer")
            #expect(later["version"] as? Int == 1)

            let audit = try await projector.call(.get, "/v1/audit?type=image-created", token: alice)
            let created = (audit["items"] as? [[String: Any]] ?? []).compactMap { ($0["data"] as? [String: Any])?["name"] as? String }
            #expect(created.sorted() == [held.name, "retried"], "one event applied, besides the upload's")

            let resolution = #"{"build_id": "b1", "user": "alice", "driver": "qemu", "image": "retried"}"#
            let resolutionKey: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "build-b1"]
            let once = try await first.call(.post, "/v1/resolutions?wait=true", token: scheduler, json: resolution, headers: resolutionKey)
            let twice = try await second.call(.post, "/v1/resolutions", token: scheduler, json: resolution, headers: resolutionKey)
            #expect(once.status == .ok)
            #expect(twice.string("event", "id") == once.string("event", "id"))
            #expect(twice.string("image_id") == once.string("image_id"))
            let bad = try await first.call(.post, "/v1/images", token: alice, json: body,
                                           headers: [HTTPField.Name("Idempotency-Key")!: String(repeating: "k", count: 300)])
            #expect(bad.status == .badRequest)
        }
    }

    @Test("a position the projection has not reached answers 504 after the bound; a reached one answers")
    func boundedWait() async throws {
        let alice = try await TestEnvironment.token("alice", Self.readWrite)
        let services = try await RegistryServices.fresh { $0.waitTimeout = .milliseconds(500) }
        try await services.run { ingest, projector in
            let created = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team"}"#)
            let position = try #require(created.string("event", "position"))
            try await TestEnvironment.eventually("the projector applies the first event") {
                try await projector.call(.get, "/v1/namespaces/alice/team?after=\(position)", token: alice).status == .ok
            }
            let future = try await projector.call(
                .get, "/v1/namespaces/alice/team", token: alice, headers: [.registryPosition: "0:999999"])
            #expect(future.status == .gatewayTimeout)
            #expect(future.errorCode == "position_not_reached")
            #expect(future.errorMessage?.contains("0:999999") == true)
            let malformed = try await projector.call(.get, "/v1/namespaces/alice/team?after=soon", token: alice)
            #expect(malformed.status == .badRequest)
        }
    }
}

/// Metrics, readiness and the way the services fail.
@Suite("Operations")
struct OperationsTests {
    @Test("both services publish Prometheus metrics: requests, produce latency, applied events, positions")
    func metrics() async throws {
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        try await RegistryServices.fresh().run { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "metered"}"#)
            let response = try await projector.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
            let text = String(buffer: response.body)
            #expect(response.status == .ok)
            for name in ["registry_events_applied_total", "registry_projection_next_offset", "registry_produce_duration_seconds",
                         "registry_projection_batch_size", "registry_projection_lag_records", "registry_produced_next_offset",
                         "http_server_requests_total", "process_resident_memory_bytes", "registry_build_info"] {
                #expect(text.contains(name), "\(name) is missing from /metrics")
            }
        }
    }

    @Test("with the database unreachable, queries and readiness answer 503")
    func databaseDown() async throws {
        let services = try await RegistryServices.fresh { $0.databaseURL = "postgres://registry@127.0.0.1:1/registry" }
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let app = try await buildProjectorApplication(settings: services.settings, logger: TestEnvironment.logger)
        try await app.test(.live) { projector in
            #expect(try await projector.call(.get, "/readyz").status == .serviceUnavailable)
            #expect(try await projector.call(.get, "/healthz").status == .ok)
            let answer = try await projector.call(.get, "/v1/namespaces", token: alice)
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.headers[.retryAfter] != nil)
        }
    }

    @Test("SIGTERM stops a service gracefully with exit status 0")
    func gracefulStop() async throws {
        let services = try await RegistryServices.fresh()
        for name in ["image-ingest", "image-projector"] {
            let process = try ServiceProcess(name, settings: services.settings)
            defer { if process.process.isRunning { process.kill() } }
            try await TestEnvironment.eventually(timeout: .seconds(120), "\(name) answers") {
                try #require(process.process.isRunning, "\(name) exited with \(process.process.terminationStatus)")
                return try await QemuImages.output(of: ["curl", "-sf", "http://127.0.0.1:\(process.port)/healthz"])
                    .contains("ok")
            }
            process.stop()
            #expect(process.process.terminationReason == .exit)
            #expect(process.process.terminationStatus == 0, "\(name) exit status")
        }
    }
}
