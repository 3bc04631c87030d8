import Foundation
import Kafka
import RegistryDomain
import RegistryTesting
import Testing

/// Records written straight to the topic that the projection cannot apply:
/// each is dead-lettered with its bytes, and no partition stalls.
@Suite("Poison never stalls")
struct PoisonRecordTests {
    static let owners = (0..<4).map { try! Username("poison\($0)") }

    static func namespace(_ owner: Username, _ path: String, id: UUID = EventID.make()) -> EncodedEvent {
        CloudEventsCodec.encode(EventEnvelope(
            id: id, source: "test", actor: owner, subject: owner.value,
            event: .namespaceCreated(NamespaceCreated(owner: owner, path: try! NamespacePath(path), visibility: nil))))
    }

    static func replacing(_ name: String, with value: [UInt8], in record: EncodedEvent) -> EncodedEvent {
        var record = record
        record.headers.removeAll { $0.name == name }
        record.headers.append(.init(name: name, value: value))
        return record
    }

    /// Bad records for `owner`, each spoiled in another way.
    static func poison(for owner: Username, reusing seenID: UUID) -> [EncodedEvent] {
        let fresh = namespace(owner, "spoiled")
        var nulName = fresh
        nulName.headers = nulName.headers.map { $0.name == "ce_type" ? .init(name: "ce_ty\u{0}pe", value: $0.value) : $0 }
        var invalidUTF8 = replacing("ce_type", with: [0x69, 0xFF, 0xFE, 0x00], in: fresh)
        invalidUTF8.key = [0xC3, 0x28, 0x00]
        invalidUTF8.value = [0xFF, 0x00, 0x7B]
        let unstorable = CloudEventsCodec.encode(EventEnvelope(
            source: "test", actor: owner, subject: owner.value, event: .imageResolved(ImageResolved(
                buildID: "build\u{0}4711", user: owner, namespace: nil, image: "x", driver: .qemu, resolution: nil))))
        let baseWithOwner = CloudEventsCodec.encode(EventEnvelope(
            source: "test", actor: owner, subject: owner.value, event: .imageCreated(ImageCreated(
                imageID: EventID.make(), source: .base, owner: owner, namespace: nil, name: "arch", driver: .qemu,
                location: try! ImageLocation("file:///var/lib/djinn/images/arch"),
                sha256: try! SHA256Digest(hex: String(repeating: "a", count: 64)), size: 1))))
        return [
            replacing("ce_id", with: Array("0190a3c4-\u{0}".utf8), in: fresh),
            nulName,
            invalidUTF8,
            replacing("ce_type", with: Array(repeating: UInt8(ascii: "x"), count: 1 << 20), in: fresh),
            replacing("ce_type", with: Array("image-exploded".utf8), in: fresh),
            replacing("ce_schemaversion", with: Array(String(EventEnvelope.currentSchemaVersion + 1).utf8), in: fresh),
            baseWithOwner,
            namespace(owner, "impostor", id: seenID),
            unstorable,
        ]
    }

    @Test("bad records among good ones for the same and other owners: good applied, bad dead-lettered, lag back to 0")
    func poisonAmongGoodEvents() async throws {
        let services = try await RegistryServices.fresh()
        let topic = services.settings.topic
        var records: [EncodedEvent] = []
        var good = 0
        var bad = 0
        for (index, owner) in Self.owners.enumerated() {
            let firstID = EventID.make()
            records.append(Self.namespace(owner, "first", id: firstID))
            good += 1
            // Half the owners get poison; the others only good events.
            if index % 2 == 0 {
                for record in Self.poison(for: owner, reusing: firstID) {
                    records += [record, Self.namespace(owner, "after\(records.count)")]
                    good += 1
                    bad += 1
                }
            } else {
                for step in 0..<5 { records.append(Self.namespace(owner, "plain\(step)")) }
                good += 5
            }
        }
        var producerConfiguration = KafkaProducerConfiguration(client: try TestEnvironment.kafka())
        producerConfiguration.maximumRecordBytes = 4 << 20
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: TestEnvironment.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            defer { group.cancelAll() }
            for record in records {
                _ = try await producer.send(
                    topic: topic, key: record.key, value: record.value,
                    headers: record.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
            }
        }

        let projector = try ServiceProcess("image-projector", settings: services.settings)
        defer { projector.stop() }
        let client = CurlClient(port: projector.port)
        try await client.waitUntilReady(projector)
        let admin = try await TestEnvironment.token("root", [.registryAdmin])
        var letters: [[String: Any]] = []
        var namespaces: [[String: Any]] = []
        try await TestEnvironment.eventually(
            timeout: .seconds(90), "\(good) namespaces and \(bad) dead letters (\(namespaces.count), \(letters.count))"
        ) {
            letters = try await client.call(.get, "/v1/admin/dead-letters?limit=1000", token: admin)["items"]
                as? [[String: Any]] ?? []
            namespaces = try await client.call(.get, "/v1/namespaces?limit=1000", token: admin)["items"]
                as? [[String: Any]] ?? []
            return letters.count == bad && namespaces.count == good
        }
        #expect(!namespaces.contains { ["spoiled", "impostor"].contains($0["path"] as? String) })
        let reasons = letters.compactMap { $0["reason"] as? String }
        for expected in ["ce_id", "missing CloudEvents attribute ce_type", "unknown event type", "schema version",
                         "no owner", "applied before", "cannot store"] {
            #expect(reasons.contains { $0.contains(expected) }, "a dead letter says \(expected)")
        }
        #expect(reasons.allSatisfy { $0.utf8.count <= 2000 }, "reasons are bounded")
        let nulValue = try #require(letters.first { ($0["reason"] as? String)?.contains("ce_id") == true })
        let headers = try #require(nulValue["headers"] as? [[String: String]])
        let ceID = try #require(headers.first { $0["name"].flatMap { Data(base64Encoded: $0) } == Data("ce_id".utf8) })
        #expect(ceID["value"].flatMap { Data(base64Encoded: $0) } == Data("0190a3c4-\u{0}".utf8), "raw header bytes")
        let raw = try #require(letters.first { $0["key"] as? String == Data([0xC3, 0x28, 0x00]).base64EncodedString() })
        #expect(raw["value"] as? String == Data([0xFF, 0x00, 0x7B]).base64EncodedString())

        try await TestEnvironment.eventually("every partition's lag is back to 0") {
            let metrics = try await QemuImages.output(of: ["curl", "-s", "http://127.0.0.1:\(projector.port)/metrics"])
            let lags = metrics.split(separator: "\n").filter { $0.hasPrefix("registry_projection_lag_records{") }
            return !lags.isEmpty && lags.allSatisfy { $0.split(separator: " ").last.flatMap { Double($0) } == 0 }
        }
        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        #expect(live.recordsSeen == Int64(records.count))
        let replay = try await ReadModelSnapshot.cleanReplay(of: topic, records: live.recordsSeen)
        #expect(replay == live, "a clean replay dead-letters the same records")
    }
}
