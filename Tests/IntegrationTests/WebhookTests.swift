import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IngestService
import RegistryDomain
import RegistryRuntime
import RegistryTesting
import Testing

/// Webhook deliveries from the real log to a real receiver on 127.0.0.1,
/// with the dispatcher (in `image-projector` processes) killed with SIGKILL
/// mid-stream and started again: every event arrives at least once, in log
/// order, each signed with the webhook's secret, a duplicate with the id it
/// had; refused receivers are retried; the owner sees the delivery log and
/// redelivers; addresses the registry may not reach are refused.
@Suite("Webhooks")
struct WebhookTests {
    static let secret = "receiver-secret-1234"

    @Test("deliveries survive a killed dispatcher, are signed, ordered, retried, logged and redelivered")
    func deliveriesAcrossAKill() async throws {
        let services = try await RegistryServices.fresh { settings in
            settings.outbound = OutboundSettings(
                addressRules: try! OutboundAddressRules(parsing: "127.0.0.1/32"),
                webhookSeal: try! WebhookSecretSeal(keyText: "integration-webhook-key-0123456789abcdef"),
                dispatchWebhooks: true, webhookGroup: settings.outbound.webhookGroup,
                webhookRetryPeriod: .seconds(60), webhookAttemptTimeout: .seconds(5))
        }
        let settings = services.settings
        let extra = [
            "IMAGE_REGISTRY_IMPORT_ALLOW": "127.0.0.1/32",
            "IMAGE_REGISTRY_WEBHOOK_KEY": "integration-webhook-key-0123456789abcdef",
            "IMAGE_REGISTRY_WEBHOOK_RETRY_SECONDS": "60",
        ]
        let receiver = try await WebhookReceiver(failing: 2)
        defer { receiver.stop() }
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let count = 40

        let ingestApp = try await buildIngestApplication(settings: settings, logger: TestEnvironment.logger)
        try await ingestApp.test(.live) { ingest in
            var projector = try ServiceProcess("image-projector", settings: settings, extra: extra)
            defer { if projector.isRunning { projector.stop() } }
            let first = CurlClient(port: projector.port)
            try await first.waitUntilReady(projector)
            _ = try await ingest.call(.post, "/v1/namespaces", token: alice, json: #"{"path": "team"}"#)
            // Generous: the full suite runs many stacks' worth of consumers at once.
            try await TestEnvironment.eventually(timeout: .seconds(120), "team is projected") {
                try await first.call(.get, "/v1/namespaces/alice/team", token: alice).status == .ok
            }
            // Addresses the registry may not reach are refused, with the reason.
            for url in ["http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/x",
                        "http://0x7f000002/", "ftp://127.0.0.1/", "http://user:pw@127.0.0.1/"] {
                let refused = try await ingest.call(
                    .post, "/v1/namespaces/alice/team/webhooks", token: alice, json: #"{"url": "\#(url)"}"#)
                #expect([.unprocessableContent, .badRequest].contains(refused.status), "\(url): \(refused.body)")
            }
            let created = try await ingest.call(
                .post, "/v1/namespaces/alice/team/webhooks?wait=true", token: alice,
                json: #"{"url": "\#(receiver.url)", "secret": "\#(Self.secret)", "events": ["namespaces"]}"#)
            #expect(created.status == .created, "\(created.body)")
            #expect(created["has_secret"] as? Bool == true)
            #expect(created["secret"] == nil)
            let webhook = try #require(created.string("id"))

            var expected: [String] = []
            for index in 0..<count {
                let answer = try await ingest.call(
                    .post, "/v1/namespaces", token: alice, json: #"{"path": "team/n\#(index)"}"#)
                expected.append(try #require(answer.string("event", "id")).lowercased())
                if index == count / 3 {
                    // Kill the dispatcher once deliveries are flowing, then start another.
                    try await TestEnvironment.eventually(timeout: .seconds(120), "deliveries start") {
                        !receiver.received.isEmpty
                    }
                    projector.kill()
                    projector = try ServiceProcess("image-projector", settings: settings, extra: extra)
                }
            }
            try await TestEnvironment.eventually(timeout: .seconds(180), "every event is delivered") {
                Set(receiver.received.compactMap { $0.event?.id }).isSuperset(of: expected)
            }
            let received = receiver.received
            for delivery in received {
                #expect(delivery.topic == "namespaces")
                #expect(delivery.signature == WebhookSignature.header(body: delivery.body, secret: Self.secret))
            }
            // A duplicate carries the id of the first; each event has one id.
            let idsByEvent = Dictionary(grouping: received.compactMap { d in d.event.map { ($0.id, d.id) } }, by: \.0)
            #expect(idsByEvent.values.allSatisfy { Set($0.map(\.1)).count == 1 })
            // In log order: first arrivals in offset order.
            var seen = Set<String>()
            let firstOffsets = received.compactMap { $0.event }.filter { seen.insert($0.id).inserted }.map(\.offset)
            #expect(firstOffsets == firstOffsets.sorted())

            let reader = CurlClient(port: projector.port)
            try await reader.waitUntilReady(projector)
            let log = try await reader.call(
                .get, "/v1/namespaces/alice/team/webhooks/\(webhook)/deliveries?limit=100", token: alice)
            let items = try #require(log["items"] as? [[String: Any]])
            #expect(items.count >= count)
            #expect(items.allSatisfy { $0["state"] as? String == "delivered" && $0["status_code"] as? Int == 204 })
            // The first delivery met two 503s before it got through.
            #expect(items.contains { ($0["attempts"] as? Int ?? 0) >= 3 })
            let again = try #require(items.first?["id"] as? String).lowercased()
            let before = received.filter { $0.id == again }.count
            let redelivery = try await ingest.call(
                .post, "/v1/namespaces/alice/team/webhooks/\(webhook)/deliveries/\(again)/redeliver", token: alice)
            #expect(redelivery.status == .accepted)
            try await TestEnvironment.eventually(timeout: .seconds(60), "the delivery is sent again") {
                receiver.received.filter { $0.id == again }.count > before
            }
            // The dispatcher counts what it settled.
            let metrics = try await QemuImages.output(of: ["curl", "-s", "http://127.0.0.1:\(projector.port)/metrics"])
            #expect(metrics.contains(#"registry_webhook_deliveries_total{state="delivered"}"#))
            #expect(metrics.contains("registry_webhook_attempt_duration_seconds_count"))
            // Only the owner sees the webhook and its deliveries.
            let bob = try await TestEnvironment.token("bob", GuaranteeTests.readWrite)
            let hidden = try await reader.call(.get, "/v1/namespaces/alice/team/webhooks", token: bob)
            #expect(hidden.status == .notFound)
        }
    }
}
