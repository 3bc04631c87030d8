import Foundation
import HTTPTypes
import HummingbirdTesting
import Kafka
import RegistryDomain
import RegistryHTTP
import RegistryTesting
import Testing

/// The real broker and PostgreSQL stopped and started again under running
/// services. Each test has its own dependency (`DedicatedDependency`), so the
/// shared ones the other tests use stay up.
@Suite("Outages", .serialized)
struct OutageTests {
    static func namespace(_ path: String) -> String { #"{"path": "\#(path)"}"# }

    /// Runs `body` with the dependency, then stops everything it started.
    static func with(
        _ kind: DedicatedDependency.Kind, _ body: (DedicatedDependency) async throws -> Void
    ) async throws {
        let dependency = try await DedicatedDependency(kind)
        do {
            try await body(dependency)
        } catch {
            try? await dependency.shutdown()
            throw error
        }
        try await dependency.shutdown()
    }

    @Test("broker down: writes answer 503 with Retry-After and record nothing; broker back: writes succeed, a failed batch retried with its key records each image once")
    func brokerOutage() async throws {
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        try await Self.with(.broker) { broker in
            var settings = try TestEnvironment.settings(
                databaseURL: try await TestEnvironment.freshDatabase(), topic: TestEnvironment.uniqueName("outage"))
            settings.kafkaBrokers = broker.address
            try await RegistryServices(settings: settings).run { ingest, projector in
                try await TestEnvironment.eventually(timeout: .seconds(60), "the ingest records a first event") {
                    try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: Self.namespace("before"))
                        .status == .created
                }
                let held = try await HeldImages.upload(0x71, to: ingest, token: alice)

                try await broker.stopServer()
                // A single write and a batch at once: each waits for the
                // broker's acknowledgement until librdkafka gives up, which
                // can take longer than the test client's 20 s read timeout;
                // curl waits for the answer.
                let waiting = CurlClient(port: try #require(ingest.port))
                let batch = ImageBatchTests.batch([
                    held.image.registration(name: "one"), held.image.registration(name: "two"),
                ])
                let batchKey: HTTPFields = [.idempotencyKey: "outage-batch"]
                async let failedBatch = waiting.call(
                    .post, "/v1/images/batch", token: alice, json: batch, headers: batchKey)
                let during = try await waiting.call(.post, "/v1/namespaces", token: alice, json: Self.namespace("during"))
                #expect(during.status == .serviceUnavailable, "\(during.body)")
                #expect(during.headers[.retryAfter] != nil)
                let batchDuring = try await failedBatch
                #expect(batchDuring.status == .serviceUnavailable, "\(batchDuring.body)")

                try await broker.startServer()
                var after: JSONAnswer?
                try await TestEnvironment.eventually(
                    timeout: .seconds(90), "writes succeed again (last: \(after.map { "\($0.status) \($0.body)" } ?? "none"))"
                ) {
                    after = try await ingest.call(.post, "/v1/namespaces", token: alice, json: Self.namespace("after"))
                    return after?.status == .accepted
                }
                let position = try #require(after?.string("event", "position"))
                let reached = try await projector.call(.get, "/v1/namespaces/alice/after?after=\(position)", token: alice)
                #expect(reached.status == .ok, "the projector consumes again after the broker restarted")
                let never = try await projector.call(.get, "/v1/namespaces/alice/during", token: alice)
                #expect(never.status == .notFound, "a write answered 503 was not recorded")

                let retried = try await ingest.call(
                    .post, "/v1/images/batch", token: alice, json: batch, headers: batchKey)
                #expect(retried.status == .accepted, "\(retried.body)")
                for item in retried["images"] as? [[String: Any]] ?? [] {
                    let position = try #require((item["event"] as? [String: Any])?["position"] as? String)
                    #expect(try await projector.call(.get, "/v1/images?limit=1&after=\(position)", token: alice).status == .ok)
                }
                let images = try await projector.call(.get, "/v1/images?limit=10", token: alice)
                let versions = (images["items"] as? [[String: Any]] ?? []).map { item in
                    "\(item["name"] as? String ?? "?") v\(item["version"] as? Int ?? 0)"
                }
                #expect(versions.sorted() == ["\(held.name) v1", "one v1", "two v1"],
                        "each image of the batch once, whatever the failed try left behind, besides the upload")
            }
        }
    }

    @Test("PostgreSQL down: queries and readiness answer 503, the projector pauses; back up: both resume by themselves")
    func databaseOutage() async throws {
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        try await Self.with(.postgres) { postgres in
            let settings = try TestEnvironment.settings(
                databaseURL: postgres.address, topic: try await TestEnvironment.freshTopic())
            try await TestEnvironment.withProducer { producer in
                try await RegistryServices(settings: settings).run { ingest, projector in
                    let before = try await ingest.call(
                        .post, "/v1/namespaces?wait=true", token: alice, json: Self.namespace("before"))
                    #expect(before.status == .created)

                    try await postgres.stopServer()
                    let query = try await projector.call(.get, "/v1/namespaces/alice/before", token: alice)
                    #expect(query.status == .serviceUnavailable)
                    #expect(query.headers[.retryAfter] != nil)
                    #expect(try await projector.call(.get, "/readyz").status == .serviceUnavailable)

                    // An event that arrives meanwhile waits in the log.
                    let owner = try Username("alice")
                    try await TestEnvironment.publish(
                        [EventEnvelope(source: "test", actor: owner, subject: owner.value, event: .namespaceCreated(
                            NamespaceCreated(owner: owner, path: try NamespacePath("during"), visibility: nil)))],
                        with: producer, topic: settings.topic)
                    try await Task.sleep(for: .seconds(2))

                    try await postgres.startServer()
                    try await TestEnvironment.eventually(timeout: .seconds(60), "the projector resumes and applies it") {
                        try await projector.call(.get, "/v1/namespaces/alice/during", token: alice).status == .ok
                    }
                    #expect(try await projector.call(.get, "/readyz").status == .ok)
                    #expect(try await projector.call(.get, "/v1/namespaces/alice/before", token: alice).status == .ok)
                }
            }
        }
    }

    @Test("services started while the broker is down are alive but not ready, writes answer 503; then they recover")
    func startedBeforeBroker() async throws {
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        try await Self.with(.broker) { broker in
            try await broker.stopServer()
            var settings = try TestEnvironment.settings(
                databaseURL: try await TestEnvironment.freshDatabase(), topic: TestEnvironment.uniqueName("late"))
            settings.kafkaBrokers = broker.address
            let processes = try ["image-ingest", "image-projector"].map { try ServiceProcess($0, settings: settings) }
            defer { processes.forEach { $0.stop() } }
            let (ingest, projector) = (CurlClient(port: processes[0].port), CurlClient(port: processes[1].port))
            for (client, process) in zip([ingest, projector], processes) {
                try await TestEnvironment.eventually(timeout: .seconds(120), "a service answers while the broker is down") {
                    try #require(process.isRunning, "it exited with \(process.process.terminationStatus)")
                    return try await client.call(.get, "/healthz").status == .ok
                }
                let readiness = try await client.call(.get, "/readyz")
                #expect(readiness.status == .serviceUnavailable, "\(readiness.body)")
            }
            let early = try await ingest.call(.post, "/v1/namespaces", token: alice, json: Self.namespace("early"))
            #expect(early.status == .serviceUnavailable)
            #expect(early.headers[.retryAfter] != nil)

            try await broker.startServer()
            try await ingest.waitUntilReady(processes[0])
            try await projector.waitUntilReady(processes[1])
            let late = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: Self.namespace("late"))
            #expect(late.status == .created, "\(late.body)")
        }
    }
}
