import Foundation
import Testing
@testable import RegistryDomain

@Suite("Events travel as CloudEvents in Kafka binary mode")
struct CloudEventsCodecTests {
    static let alice = try! Username("alice")
    static let digest = try! SHA256Digest(hex: String(repeating: "ab", count: 32))
    static let location = try! ImageLocation("file:///var/lib/images/sha256/ab/abab.qcow2")

    static let events: [RegistryEvent] = [
        .namespaceCreated(NamespaceCreated(owner: alice, path: try! NamespacePath("team/infra"), visibility: .internal)),
        .namespaceCreated(NamespaceCreated(owner: alice, path: try! NamespacePath("team"), visibility: nil)),
        .imageCreated(ImageCreated(
            imageID: EventID.make(), source: .custom, owner: alice, namespace: try! NamespacePath("team"),
            name: "my-image", driver: .qemu, location: location, sha256: digest, size: 1 << 30)),
        .imageCreated(ImageCreated(
            imageID: EventID.make(), source: .base, owner: nil, namespace: nil,
            name: "debian/stable", driver: .qemu, location: location, sha256: digest, size: 42)),
        .imageResolved(ImageResolved(
            buildID: "4711", user: alice, namespace: "team@alice", image: "my-image", driver: .qemu,
            resolution: Resolution(
                imageID: EventID.make(), name: "my-image", namespace: "team@alice", source: .custom, version: 3,
                sha256: digest, size: 10, location: location, verified: true))),
        .imageResolved(ImageResolved(
            buildID: "4712", user: alice, namespace: nil, image: "missing", driver: .qemu, resolution: nil)),
        .namespaceUpdated(NamespaceUpdated(
            owner: alice, path: try! NamespacePath("team"), visibility: .public, description: "Team images")),
        .namespaceUpdated(NamespaceUpdated(
            owner: alice, path: try! NamespacePath("team/infra"), visibility: nil, description: "")),
        .namespaceDeleted(NamespaceDeleted(owner: alice, path: try! NamespacePath("team/infra"))),
        .inviteSent(Invitation(inviteID: UUID(), owner: alice, root: try! NamespacePath("team"), username: try! Username("bob"))),
        .inviteAccepted(Invitation(
            inviteID: UUID(), owner: alice, root: try! NamespacePath("team"), username: try! Username("bob"))),
        .inviteRejected(Invitation(
            inviteID: UUID(), owner: alice, root: try! NamespacePath("team"), username: try! Username("bob"))),
        .webhookCreated(WebhookCreated(
            webhookID: UUID(), owner: alice, path: try! NamespacePath("team/infra"),
            url: try! WebhookURL("https://ci.example.com/hook?x=1"), topics: [.images, .invites], active: true,
            sealedSecret: "c2VhbGVk")),
        .webhookDeleted(WebhookDeleted(webhookID: UUID(), owner: alice, path: try! NamespacePath("team"))),
        .webhookRedeliveryRequested(WebhookRedeliveryRequested(webhookID: UUID(), owner: alice, deliveryID: UUID())),
        .imageImportRequested(ImageImportRequested(
            importID: UUID(), scope: .namespace(NamespaceReference(path: try! NamespacePath("team"), owner: alice), try! ImageName("debian")),
            url: try! DownloadURL(validating: "https://images.example.com/debian.qcow2"), sealedCredentials: "c2VhbGVk",
            sha256: digest)),
        .imageImportRequested(ImageImportRequested(
            importID: UUID(), scope: .base(try! BaseImageName("debian/stable", field: "name")),
            url: try! DownloadURL(validating: "http://10.1.2.3:8080/a.qcow2"), sealedCredentials: nil, sha256: nil)),
        .imageImportFailed(ImageImportFailed(importID: UUID(), code: .digestMismatch, message: "the bytes differ")),
        .imageCreated(ImageCreated(
            imageID: EventID.make(), source: .custom, owner: alice, namespace: nil, name: "imported", driver: .qemu,
            location: location, sha256: digest, size: 7, verified: true, importID: UUID())),
        .imageStatusChanged(ImageStatusChange(kind: .deprecated, imageID: UUID(), reason: "old", replacement: "runner@sha256:\(digest.hex)")),
        .imageStatusChanged(ImageStatusChange(
            kind: .revoked, imageID: UUID(), reason: "leaks a key", effectiveAt: Date(timeIntervalSince1970: 1_800_000_000.123))),
        .imageStatusChanged(ImageStatusChange(kind: .revoked, imageID: UUID(), reason: "now")),
        .imageStatusChanged(ImageStatusChange(kind: .restored, imageID: UUID())),
        .imageResolved(ImageResolved(
            buildID: "4713", user: alice, namespace: nil, image: "my-image", driver: .qemu,
            resolution: Resolution(
                imageID: EventID.make(), name: "my-image", namespace: nil, source: .custom, version: 1,
                sha256: digest, size: 10, location: location, verified: true,
                deprecation: Deprecation(since: Date(timeIntervalSince1970: 1_800_000_000.5), reason: "old", replacement: nil),
                revocation: Revocation(effectiveAt: Date(timeIntervalSince1970: 1_800_000_001), reason: "gone")),
            refusal: "image my-image version 1 was revoked: gone")),
        .namespaceUpdated(NamespaceUpdated(
            owner: alice, path: try! NamespacePath("team"), visibility: nil, description: nil, revokedFallback: true)),
    ]

    static func envelope(_ event: RegistryEvent) -> EventEnvelope {
        EventEnvelope(source: "image-ingest", actor: alice, subject: "alice", requestID: "req-1", event: event)
    }

    @Test("every event survives encode then decode unchanged", arguments: events)
    func roundTrip(_ event: RegistryEvent) throws {
        let envelope = Self.envelope(event)
        #expect(try CloudEventsCodec.decode(CloudEventsCodec.encode(envelope)) == envelope)
    }

    @Test("attributes are ce_* headers and the key is the subject")
    func binaryModeLayout() {
        let encoded = CloudEventsCodec.encode(Self.envelope(Self.events[0]))
        #expect(encoded.key == Array("alice".utf8))
        #expect(encoded.header("ce_specversion") == "1.0")
        #expect(encoded.header("ce_type") == "namespace-created")
        #expect(encoded.header("ce_source") == "image-ingest")
        #expect(encoded.header("ce_actor") == "alice")
        #expect(encoded.header("ce_schemaversion") == "1")
        #expect(encoded.header("ce_requestid") == "req-1")
        #expect(encoded.header("content-type") == "application/json")
        #expect(encoded.header("ce_time")?.hasSuffix("Z") == true)
    }

    private func tampered(_ change: (inout EncodedEvent) -> Void) -> EncodedEvent {
        var encoded = CloudEventsCodec.encode(Self.envelope(Self.events[2]))
        change(&encoded)
        return encoded
    }

    private func setHeader(_ name: String, _ value: String, in encoded: inout EncodedEvent) {
        encoded.headers.removeAll { $0.name == name }
        encoded.headers.append(.init(name: name, value: Array(value.utf8)))
    }

    @Test("an unknown type is poison")
    func unknownType() {
        let record = tampered { setHeader("ce_type", "image-exploded", in: &$0) }
        #expect(throws: PoisonEventError.unknownType("image-exploded")) { try CloudEventsCodec.decode(record) }
    }

    @Test("a missing attribute is poison")
    func missingAttribute() {
        let record = tampered { $0.headers.removeAll { $0.name == "ce_id" } }
        #expect(throws: PoisonEventError.missingAttribute("ce_id")) { try CloudEventsCodec.decode(record) }
    }

    @Test("a newer schema version is poison, not a guess")
    func newerSchema() {
        let record = tampered { setHeader("ce_schemaversion", "2", in: &$0) }
        #expect(throws: PoisonEventError.unsupportedSchemaVersion("2")) { try CloudEventsCodec.decode(record) }
    }

    @Test("another CloudEvents spec version is poison")
    func specVersion() {
        let record = tampered { setHeader("ce_specversion", "0.3", in: &$0) }
        #expect(throws: PoisonEventError.unsupportedSpecVersion("0.3")) { try CloudEventsCodec.decode(record) }
    }

    @Test("undecodable data is poison", arguments: ["", "{", "[]", #"{"image_id": 5}"#, "\u{0}\u{1}"])
    func undecodableData(_ value: String) {
        let record = tampered { $0.value = Array(value.utf8) }
        #expect { try CloudEventsCodec.decode(record) } throws: { error in
            if case .invalidData = error as? PoisonEventError { return true }
            return false
        }
    }

    @Test("a namespace update that changes nothing, or whose description breaks the rules, is poison", arguments: [
        #"{"owner": "alice", "path": "team"}"#,
        #"{"owner": "alice", "path": "team", "description": "two\nlines"}"#,
        #"{"owner": "alice", "path": "team", "visibility": "secret"}"#,
        "{\"owner\": \"alice\", \"path\": \"team\", \"description\": \"\(String(repeating: "x", count: 1025))\"}",
    ])
    func invalidNamespaceUpdate(_ data: String) {
        var encoded = CloudEventsCodec.encode(Self.envelope(Self.events[0]))
        encoded.headers.removeAll { $0.name == "ce_type" }
        encoded.headers.append(.init(name: "ce_type", value: Array("namespace-updated".utf8)))
        encoded.value = Array(data.utf8)
        #expect(throws: PoisonEventError.self) { try CloudEventsCodec.decode(encoded) }
    }

    @Test("a lifecycle change that breaks its rules is poison", arguments: [
        ("image-deprecated", #"{"image_id": "3e1c5b3a-7f4e-4c2a-9d8b-1a2b3c4d5e6f"}"#),
        ("image-deprecated", #"{"image_id": "3e1c5b3a-7f4e-4c2a-9d8b-1a2b3c4d5e6f", "reason": "a\nb"}"#),
        ("image-deprecated", #"{"image_id": "3e1c5b3a-7f4e-4c2a-9d8b-1a2b3c4d5e6f", "reason": "x", "replacement": "a b"}"#),
        ("image-revoked", #"{"image_id": "3e1c5b3a-7f4e-4c2a-9d8b-1a2b3c4d5e6f", "reason": "x", "effective_at": "soon"}"#),
        ("image-revoked", #"{"image_id": "3e1c5b3a-7f4e-4c2a-9d8b-1a2b3c4d5e6f", "reason": "x", "replacement": "a"}"#),
        ("image-restored", #"{"image_id": "3e1c5b3a-7f4e-4c2a-9d8b-1a2b3c4d5e6f", "reason": "x"}"#),
        ("image-restored", #"{"image_id": "nope"}"#),
    ])
    func invalidStatusChange(_ type: String, _ data: String) {
        #expect(throws: PoisonEventError.self) {
            try CloudEventsCodec.decodeData(type: EventType(rawValue: type)!, from: Array(data.utf8))
        }
    }

    @Test("an invite below a root, or to its own owner, is poison", arguments: [
        #"{"invite_id": "3e1c5b3a-7f4e-4c2a-9d8b-1a2b3c4d5e6f", "owner": "alice", "root": "team/infra", "username": "bob"}"#,
        #"{"invite_id": "3e1c5b3a-7f4e-4c2a-9d8b-1a2b3c4d5e6f", "owner": "alice", "root": "team", "username": "alice"}"#,
        #"{"invite_id": "nope", "owner": "alice", "root": "team", "username": "bob"}"#,
        #"{"owner": "alice", "root": "team", "username": "bob"}"#,
    ])
    func invalidInvite(_ data: String) {
        var encoded = CloudEventsCodec.encode(Self.envelope(Self.events[0]))
        encoded.headers.removeAll { $0.name == "ce_type" }
        encoded.headers.append(.init(name: "ce_type", value: Array("invite-sent".utf8)))
        encoded.value = Array(data.utf8)
        #expect(throws: PoisonEventError.self) { try CloudEventsCodec.decode(encoded) }
    }

    @Test("data that breaks a domain rule is poison")
    func domainRule() throws {
        var created = ImageCreated(
            imageID: EventID.make(), source: .base, owner: Self.alice, namespace: nil, name: "arch",
            driver: .qemu, location: Self.location, sha256: Self.digest, size: 1)
        let record = CloudEventsCodec.encode(Self.envelope(.imageCreated(created)))
        #expect(throws: PoisonEventError.self) { try CloudEventsCodec.decode(record) }
        created.source = .custom
        created.name = "has/slash"
        #expect(throws: PoisonEventError.self) {
            try CloudEventsCodec.decode(CloudEventsCodec.encode(Self.envelope(.imageCreated(created))))
        }
    }

    @Test("the actor's role travels as ce_actorrole; a record without it has no recorded role")
    func actorRole() throws {
        var envelope = Self.envelope(Self.events[3])
        envelope.actorRole = .administrator
        let encoded = CloudEventsCodec.encode(envelope)
        #expect(encoded.header("ce_actorrole") == "administrator")
        #expect(try CloudEventsCodec.decode(encoded).actorViewer.isAdministrator)
        let legacy = tampered { $0.headers.removeAll { $0.name == "ce_actorrole" } }
        #expect(try CloudEventsCodec.decode(legacy).actorRole == nil)
        let forged = tampered { setHeader("ce_actorrole", "root", in: &$0) }
        #expect(throws: PoisonEventError.invalidAttribute(name: "ce_actorrole", value: "root")) {
            try CloudEventsCodec.decode(forged)
        }
    }

    static let traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test("the trace context travels as ce_traceparent and ce_tracestate and decodes unchanged")
    func traceContext() throws {
        var envelope = Self.envelope(Self.events[2])
        envelope.traceContext = EventTraceContext(traceParent: Self.traceParent, traceState: "vendor=abc,other=1")
        let encoded = CloudEventsCodec.encode(envelope)
        #expect(encoded.header("ce_traceparent") == Self.traceParent)
        #expect(encoded.header("ce_tracestate") == "vendor=abc,other=1")
        #expect(try CloudEventsCodec.decode(encoded) == envelope)
        #expect(CloudEventsCodec.encode(Self.envelope(Self.events[2])).header("ce_traceparent") == nil)
    }

    @Test("a malformed trace context is dropped, never poison", arguments: [
        "", "garbage", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\u{0}",
    ])
    func malformedTraceContext(_ value: String) throws {
        let record = tampered { setHeader("ce_traceparent", value, in: &$0) }
        let decoded = try CloudEventsCodec.decode(record)
        #expect(decoded.traceContext == nil)
        #expect(decoded.event == Self.events[2])
    }

    @Test("a trace state that is too long or not printable is dropped, the trace parent kept")
    func malformedTraceState() throws {
        for state in [String(repeating: "a", count: 513), "a=b\nc=d", "a=\u{7F}"] {
            let record = tampered {
                setHeader("ce_traceparent", Self.traceParent, in: &$0)
                setHeader("ce_tracestate", state, in: &$0)
            }
            let trace = try CloudEventsCodec.decode(record).traceContext
            #expect(trace?.traceParent == Self.traceParent)
            #expect(trace?.traceState == nil)
        }
    }

    @Test("unknown data fields are ignored")
    func unknownFieldsIgnored() throws {
        let envelope = Self.envelope(Self.events[0])
        var record = CloudEventsCodec.encode(envelope)
        var object = try JSONSerialization.jsonObject(with: Data(record.value)) as! [String: Any]
        object["added_in_a_later_version"] = ["x": 1]
        record.value = Array(try JSONSerialization.data(withJSONObject: object))
        #expect(try CloudEventsCodec.decode(record) == envelope)
    }
}

@Suite("CloudEvents times")
struct CloudEventsTimeTests {
    @Test("times keep whole milliseconds through text, for every millisecond of a second")
    func millisecondsSurvive() throws {
        let base = 1_795_718_820.0
        for millisecond in 0..<1000 {
            let envelope = EventEnvelope(
                source: "test", time: Date(timeIntervalSince1970: base + Double(millisecond) / 1000),
                actor: try Username("alice"), subject: "alice",
                event: .imageDeleted(ImageDeleted(imageID: EventID.make())))
            let text = CloudEventsCodec.formatTime(envelope.time)
            #expect(text.hasSuffix(String(format: ".%03dZ", millisecond)), "\(text)")
            #expect(try CloudEventsCodec.decode(CloudEventsCodec.encode(envelope)) == envelope)
        }
    }

    @Test("times without fractions or with more digits parse; others do not")
    func parsing() {
        #expect(CloudEventsCodec.parseTime("2026-11-26T18:47:12Z")?.timeIntervalSince1970 == 1_795_718_832)
        #expect(CloudEventsCodec.parseTime("2026-11-26T18:47:12.5Z")?.timeIntervalSince1970 == 1_795_718_832.5)
        #expect(CloudEventsCodec.parseTime("2026-11-26T18:47:12.123456Z") != nil)
        #expect(CloudEventsCodec.parseTime("2026-11-26T18:47:12.Z") == nil)
        #expect(CloudEventsCodec.parseTime("2026-11-26 18:47:12") == nil)
        #expect(CloudEventsCodec.parseTime("yesterday") == nil)
    }

    @Test("an image-created without an import is written as before: no import_id key")
    func imageCreatedWithoutImportIsUnchanged() throws {
        let encoded = CloudEventsCodec.encode(CloudEventsCodecTests.envelope(CloudEventsCodecTests.events[2]))
        #expect(!String(decoding: encoded.value, as: UTF8.self).contains("import_id"))
    }

    @Test("import events whose data breaks the rules are poison", arguments: [
        ("image-import-failed", #"{"import_id": "8d1c2b7e-0000-4000-8000-000000000001", "code": "exploded", "message": "x"}"#),
        ("image-import-requested", #"{"import_id": "8d1c2b7e-0000-4000-8000-000000000001", "source": "custom", "name": "x", "url": "https://a.example/x"}"#),
        ("image-import-requested", #"{"import_id": "8d1c2b7e-0000-4000-8000-000000000001", "source": "custom", "owner": "alice", "name": "x", "url": "https://u:p@a.example/x"}"#),
        ("image-import-requested", #"{"import_id": "8d1c2b7e-0000-4000-8000-000000000001", "source": "custom", "owner": "alice", "name": "x", "url": "file:///etc/passwd"}"#),
        ("image-import-requested", #"{"import_id": "8d1c2b7e-0000-4000-8000-000000000001", "source": "base", "owner": "alice", "name": "debian", "url": "https://a.example/x"}"#),
    ])
    func invalidImportEvents(_ type: String, _ data: String) {
        #expect { try CloudEventsCodec.decodeData(type: EventType(rawValue: type)!, from: Array(data.utf8)) } throws: { error in
            if case .invalidData = error as? PoisonEventError { return true }
            return false
        }
    }
}
