import Foundation
import Testing

@testable import RegistryDomain

/// The pure rules of webhooks and outbound requests: which addresses may be
/// reached, how secrets are sealed and deliveries signed, which events a
/// webhook hears of, and when a delivery is retried.
@Suite("Webhook and outbound rules")
struct WebhookRulesTests {
    @Test("denied by default: loopback, private, link-local, metadata, shared, multicast, reserved, in v4 and v6", arguments: [
        "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1", "::1", "::", "fe80::1", "fc00::1",
        "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a9fe:a9fe",
        "2001:db8::1", "[::1]", "fe80::1%eth0",
    ])
    func denied(_ text: String) throws {
        let address = try #require(IPAddress(parsing: text))
        #expect(OutboundAddressRules().refusal(of: address) != nil, "\(text)")
    }

    @Test("allowed: public addresses in v4 and v6", arguments: ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1", "::ffff:8.8.8.8"])
    func allowed(_ text: String) throws {
        #expect(OutboundAddressRules().refusal(of: try #require(IPAddress(parsing: text))) == nil, "\(text)")
    }

    @Test("the operator's ranges allow exactly what they cover")
    func operatorRanges() throws {
        let rules = try OutboundAddressRules(parsing: "127.0.0.1/32, 10.1.0.0/16,fd00::/8")
        #expect(rules.refusal(of: try #require(IPAddress(parsing: "127.0.0.1"))) == nil)
        #expect(rules.refusal(of: try #require(IPAddress(parsing: "::ffff:127.0.0.1"))) == nil)
        #expect(rules.refusal(of: try #require(IPAddress(parsing: "127.0.0.2"))) != nil)
        #expect(rules.refusal(of: try #require(IPAddress(parsing: "10.1.255.1"))) == nil)
        #expect(rules.refusal(of: try #require(IPAddress(parsing: "10.2.0.1"))) != nil)
        #expect(rules.refusal(of: try #require(IPAddress(parsing: "fd00::5"))) == nil)
        let metadata = try #require(IPAddress(parsing: "169.254.169.254"))
        let refusal = try #require(OutboundAddressRules().refusal(of: metadata))
        #expect(refusal.contains("link-local") && refusal.contains("IMAGE_REGISTRY_IMPORT_ALLOW"))
        for bad in ["127.0.0.1/33", "1.2.3/8", "nope", "::1/129", "10.0.0.0/x", "1.2.3.4/8/9"] {
            #expect(throws: NameError.self, "\(bad)") { try OutboundAddressRules(parsing: bad) }
        }
    }

    @Test("addresses parse only in their usual forms", arguments: ["1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1", "1::2::3", "12345::", "g::1", "", ":::"])
    func malformedAddresses(_ text: String) {
        #expect(IPAddress(parsing: text) == nil, "\(text)")
    }

    @Test("a sealed secret opens with the same key only, and tells nothing")
    func sealing() throws {
        let seal = try WebhookSecretSeal(keyText: "a-webhook-key-of-at-least-32-characters")
        let sealed = seal.seal("hunter2-secret")
        #expect(!sealed.contains("hunter2"))
        #expect(seal.seal("hunter2-secret") != sealed)
        #expect(seal.open(sealed) == "hunter2-secret")
        #expect(try WebhookSecretSeal(keyText: "another-webhook-key-of-32-characters!!").open(sealed) == nil)
        var tampered = Array(Data(base64Encoded: sealed)!)
        tampered[tampered.count / 2] ^= 1
        #expect(seal.open(Data(tampered).base64EncodedString()) == nil)
        #expect(seal.open("not base64!") == nil)
        #expect(throws: NameError.self) { try WebhookSecretSeal(keyText: "short") }
    }

    @Test("signatures are Djinn CI's: sha256= and the hex HMAC-SHA256 of the body")
    func signature() {
        #expect(WebhookSignature.header(body: Array("The quick brown fox jumps over the lazy dog".utf8), secret: "key")
            == "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        let event = UUID()
        let (one, two) = (UUID(), UUID())
        #expect(WebhookSignature.deliveryID(webhookID: one, eventID: event) == WebhookSignature.deliveryID(webhookID: one, eventID: event))
        #expect(WebhookSignature.deliveryID(webhookID: one, eventID: event) != WebhookSignature.deliveryID(webhookID: two, eventID: event))
    }

    @Test("a webhook hears of its namespace and those below it, for its topics")
    func notices() throws {
        let alice = try Username("alice")
        let created = ImageCreated(
            imageID: UUID(), source: .custom, owner: alice, namespace: try NamespacePath("team/infra"), name: "tool",
            driver: .qemu, location: try ImageLocation("file:///x"),
            sha256: try SHA256Digest(hex: String(repeating: "a", count: 64)), size: 1, verified: true)
        let notice = try #require(WebhookNotice(.imageCreated(created)))
        #expect(notice.topic == .images && notice.action == "created")
        #expect(notice.reaches(path: try NamespacePath("team"), topics: [.images]))
        #expect(notice.reaches(path: try NamespacePath("team/infra"), topics: WebhookTopic.allCases))
        #expect(!notice.reaches(path: try NamespacePath("team/infra/ci"), topics: [.images]))
        #expect(!notice.reaches(path: try NamespacePath("teams"), topics: [.images]))
        #expect(!notice.reaches(path: try NamespacePath("team"), topics: [.namespaces]))
        var personal = created
        personal.namespace = nil
        #expect(WebhookNotice(.imageCreated(personal)) == nil)
        #expect(WebhookNotice(.imageDeleted(ImageDeleted(imageID: UUID()))) == nil)
        // Lifecycle changes name only the image: the dispatcher says where it is.
        let team = NamespaceReference(path: try NamespacePath("team/infra"), owner: alice)
        for kind in ImageStatusChange.Kind.allCases {
            let change = RegistryEvent.imageStatusChanged(ImageStatusChange(
                kind: kind, imageID: UUID(), reason: kind == .restored ? nil : "why"))
            #expect(WebhookNotice(change) == nil, "a personal or base image's change is heard by no webhook")
            let notice = try #require(WebhookNotice(change, imageNamespace: team))
            #expect(notice.topic == .images && notice.action == kind.rawValue && notice.namespace == team)
        }
        let invite = Invitation(inviteID: UUID(), owner: alice, root: try NamespacePath("team"), username: try Username("bob"))
        #expect(WebhookNotice(.inviteAccepted(invite))?.action == "accepted")
        #expect(WebhookNotice(.inviteRejected(invite))?.topic == .invites)
    }

    @Test("retries back off exponentially with jitter, and stop at the end of the period")
    func schedule() {
        let schedule = WebhookRetrySchedule(period: .seconds(60), firstDelay: .seconds(1), maximumDelay: .seconds(16))
        #expect(schedule.delay(afterAttempt: 1, elapsed: .zero, random: { 1 }) == .seconds(1))
        #expect(schedule.delay(afterAttempt: 3, elapsed: .zero, random: { 1 }) == .seconds(4))
        #expect(schedule.delay(afterAttempt: 3, elapsed: .zero, random: { 0 }) == .seconds(2))
        #expect(schedule.delay(afterAttempt: 40, elapsed: .zero, random: { 1 }) == .seconds(16))
        #expect(schedule.delay(afterAttempt: 2, elapsed: .seconds(59), random: { 1 }) == nil)
        #expect(schedule.delay(afterAttempt: 2, elapsed: .seconds(57), random: { 0.5 }) == .seconds(1.5))
    }

    @Test("webhook URLs are absolute http or https, without credentials or fragments", arguments: [
        "ftp://example.com/", "example.com/hook", "http://", "http://user:pw@example.com/", "https://example.com/#x",
        "http://exa mple.com/", "javascript:alert(1)", "http://example.com/\u{0}",
    ])
    func badURLs(_ text: String) {
        #expect(throws: NameError.self, "\(text)") { try WebhookURL(text) }
    }
}
