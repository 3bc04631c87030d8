import Foundation
import Kafka
import Logging
import PostgresNIO
import RegistryDomain
import Testing

/// The projection resumes from its stored positions after a stop, applies
/// each event once, and equals a clean replay of the topic.
@Suite("Projector restart and replay")
struct ProjectorRestartTests {
    static let owners = (0..<5).map { try! Username("owner\($0)") }
    static let namesPerOwner = 4
    static let versionsPerName = 10

    /// Every owner's namespace, then versions of several images in it.
    static func events() -> [EventEnvelope] {
        var envelopes: [EventEnvelope] = []
        let path = try! NamespacePath("team/builds")
        for owner in owners {
            envelopes.append(EventEnvelope(
                source: "test", actor: owner, subject: owner.value,
                event: .namespaceCreated(NamespaceCreated(owner: owner, path: path, visibility: .internal))))
        }
        for version in 0..<versionsPerName {
            for owner in owners {
                for name in 0..<namesPerOwner {
                    let digest = try! SHA256Digest(hex: String(format: "%064x", version * 1000 + name))
                    envelopes.append(EventEnvelope(
                        source: "test", actor: owner, subject: owner.value,
                        event: .imageCreated(ImageCreated(
                            imageID: EventID.make(), source: .custom, owner: owner, namespace: path,
                            name: "image\(name)", driver: .qemu,
                            location: try! ImageLocation("file:///images/\(owner)/\(name)/\(version).qcow2"),
                            sha256: digest, size: Int64(1024 + version)))))
                }
            }
        }
        return envelopes
    }

    @Test("stop mid-stream, restart, nothing missed or doubled; a clean replay gives the same read model")
    func restartAndReplay() async throws {
        let database = try await TestEnvironment.freshDatabase()
        let topic = try await TestEnvironment.freshTopic(partitions: 4)
        let settings = try TestEnvironment.settings(databaseURL: database, topic: topic)
        let events = Self.events()
        // A producer retry can store one event twice: resend every tenth event.
        let duplicates = stride(from: 0, to: events.count, by: 10).map { events[$0] }
        let firstHalf = Array(events[..<(events.count / 2)])
        let secondHalf = Array(events[(events.count / 2)...]) + duplicates
        // Part of the second half streams in while the first projector runs;
        // the rest only after it stopped, so it is always stopped mid-stream.
        let whileRunning = Array(secondHalf[..<(secondHalf.count / 2)])
        let afterStop = Array(secondHalf[(secondHalf.count / 2)...])
        let totalRecords = Int64(events.count + duplicates.count)

        try await TestEnvironment.withProducer { producer in

            try await TestEnvironment.publish(firstHalf, with: producer, topic: topic)
            let first = try ProjectorRunner(settings: settings)
            try await TestEnvironment.eventually("the first projector applies something") {
                try await ReadModelSnapshot.recordsSeen(in: database) > 0
            }
            let writer = Task { try await TestEnvironment.publish(whileRunning, with: producer, topic: topic) }
            try await TestEnvironment.eventually("the first projector is past the first half") {
                try await ReadModelSnapshot.recordsSeen(in: database) >= Int64(firstHalf.count)
            }
            try await first.stop()
            try await writer.value
            try await TestEnvironment.publish(afterStop, with: producer, topic: topic)
            #expect(try await ReadModelSnapshot.recordsSeen(in: database) < totalRecords, "the projector was stopped mid-stream")

            let second = try ProjectorRunner(settings: settings)
            try await TestEnvironment.eventually(timeout: .seconds(60), "the second projector catches up") {
                try await ReadModelSnapshot.recordsSeen(in: database) == totalRecords
            }
            try await second.stop()
        }

        let resumed = try await ReadModelSnapshot.read(from: database)
        #expect(resumed.appliedEvents == Int64(events.count), "each event applied once, duplicates ignored")
        #expect(resumed.namespaces.count == Self.owners.count * 2, "team and team/builds for each owner")
        #expect(resumed.images.count == Self.owners.count * Self.namesPerOwner * Self.versionsPerName)
        #expect(resumed.audit.count == events.count)
        let versions = try await withPostgres(url: database) { client in
            var rows: [String] = []
            for try await text in try await client.query(
                "SELECT owner || '/' || name || ':' || string_agg(version::text, ',' ORDER BY version) FROM images GROUP BY owner, name"
            ).decode(String.self) { rows.append(text) }
            return rows
        }
        let expected = (1...Self.versionsPerName).map(String.init).joined(separator: ",")
        #expect(versions.count == Self.owners.count * Self.namesPerOwner)
        #expect(versions.allSatisfy { $0.hasSuffix(":" + expected) }, "versions are 1...\(Self.versionsPerName) with no gap or repeat")

        let replay = try await ReadModelSnapshot.cleanReplay(of: topic, records: totalRecords)
        #expect(replay == resumed, "replay from offset 0 yields the same rows")
    }
}
