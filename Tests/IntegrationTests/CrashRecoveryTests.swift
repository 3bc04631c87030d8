import Foundation
import Kafka
import RegistryDomain
import Testing

/// The projector killed with SIGKILL at several points while thousands of
/// events stream in: the read model ends equal to a clean replay.
@Suite("Crash recovery")
struct CrashRecoveryTests {
    @Test("SIGKILL at several points, restart, and the read model equals a clean replay")
    func killedProjector() async throws {
        let database = try await TestEnvironment.freshDatabase()
        let topic = try await TestEnvironment.freshTopic(partitions: 4)
        let settings = try TestEnvironment.settings(databaseURL: database, topic: topic)
        let events = SyntheticEvents.stream(count: 3000)

        try await TestEnvironment.withProducer { producer in
            let writer = Task {
                for start in stride(from: 0, to: events.count, by: 500) {
                    try await TestEnvironment.publish(events[start..<min(start + 500, events.count)], with: producer, topic: topic)
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            // Each restart waits for the dead member's session to expire and
            // the group to rebalance; on a loaded machine that takes a while.
            var kills = 0
            var seen: Int64 = 0
            var projector = try ServiceProcess("image-projector", settings: settings)
            for threshold: Int64 in [200, 900, 1600] {
                try await TestEnvironment.eventually(
                    timeout: .seconds(150), "the projector passes \(threshold) records (at \(seen) after \(kills) kills; running: \(projector.isRunning))"
                ) {
                    seen = try await ReadModelSnapshot.recordsSeen(in: database)
                    return seen >= threshold
                }
                projector.kill()
                kills += 1
                projector = try ServiceProcess("image-projector", settings: settings)
            }
            try await writer.value
            try await TestEnvironment.eventually(
                timeout: .seconds(150), "the projector catches up after \(kills) kills (at \(seen); running: \(projector.isRunning))"
            ) {
                seen = try await ReadModelSnapshot.recordsSeen(in: database)
                return seen == Int64(events.count)
            }
            projector.stop()
        }

        let recovered = try await ReadModelSnapshot.read(from: database)
        #expect(recovered.appliedEvents == Int64(events.count), "nothing missing, nothing applied twice")
        #expect(recovered.images.count == events.count - 8)

        let replay = try await ReadModelSnapshot.cleanReplay(of: topic, records: Int64(events.count))
        #expect(replay == recovered, "identical to a clean replay")
    }

    @Test("two projectors split the partitions; when one is killed the other takes them over")
    func takeover() async throws {
        let database = try await TestEnvironment.freshDatabase()
        let topic = try await TestEnvironment.freshTopic(partitions: 4)
        let settings = try TestEnvironment.settings(databaseURL: database, topic: topic)
        let events = SyntheticEvents.stream(count: 400)
        let first = try ServiceProcess("image-projector", settings: settings)
        let second = try ServiceProcess("image-projector", settings: settings)
        defer { second.stop() }
        try await TestEnvironment.withProducer { producer in
            try await TestEnvironment.publish(events.prefix(200), with: producer, topic: topic)
            try await TestEnvironment.eventually(timeout: .seconds(60), "both projectors apply the first half") {
                try await ReadModelSnapshot.recordsSeen(in: database) == 200
            }
            first.kill()
            try await TestEnvironment.publish(events.suffix(200), with: producer, topic: topic)
            try await TestEnvironment.eventually(timeout: .seconds(90), "the survivor takes over every partition") {
                try await ReadModelSnapshot.recordsSeen(in: database) == 400
            }
        }
        #expect(try await ReadModelSnapshot.read(from: database).appliedEvents == 400)
    }
}
