import Foundation
import Kafka
import PostgresNIO
import ProjectorService
import RegistryDomain
import RegistryHTTP
import RegistryTesting
import Synchronization
import Testing

/// Blue/green rebuild of the read model while it serves and events arrive.
@Suite("Read-model rebuild")
struct RebuildTests {
    @Test("a rebuild replays beside the live copy and switches atomically; lookups answer 200 throughout")
    func blueGreen() async throws {
        let services = try await RegistryServices.fresh()
        let database = services.settings.databaseURL
        let topic = services.settings.topic
        let events = SyntheticEvents.stream(count: 2000, ownerPrefix: "rebuild")
        let token = try await TestEnvironment.token("rebuild0", [.imageRead, .imageResolve])
        let lookup = "/v1/resolve?driver=qemu&image=image3&user=rebuild0&namespace=ci@rebuild0"

        try await TestEnvironment.withProducer { producer in
            try await services.run { _, projector in
                try await TestEnvironment.publish(events[..<1000], with: producer, topic: topic)
                try await TestEnvironment.eventually(timeout: .seconds(60), "the live projection applies 1000 records") {
                    try await ReadModelSnapshot.recordsSeen(in: database) == 1000
                }

                // Lookups run without pause through the whole rebuild, and
                // events keep arriving while the copy catches up.
                let writer = Task {
                    for start in stride(from: 1000, to: 1500, by: 50) {
                        try await TestEnvironment.publish(events[start..<start + 50], with: producer, topic: topic)
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                let finished = Flag()
                let rebuild = Task {
                    defer { finished.set() }
                    return try await ReadModelRebuild(
                        settings: services.settings, logger: TestEnvironment.logger, checkInterval: .milliseconds(50)
                    ).run()
                }
                var statuses: [Int] = []
                repeat {
                    statuses.append(try await projector.call(.get, lookup, token: token).status.code)
                } while !finished.isSet
                let report = try await rebuild.value
                try await writer.value
                #expect(!statuses.isEmpty && statuses.allSatisfy { $0 == 200 }, "every lookup answered: \(Set(statuses))")
                #expect(report.records >= 1000)

                // The live projector goes on writing into the new copy.
                try await TestEnvironment.publish(events[1500...], with: producer, topic: topic)
                try await TestEnvironment.eventually(timeout: .seconds(60), "the projection applies every record") {
                    try await ReadModelSnapshot.recordsSeen(in: database) == Int64(events.count)
                }
                let retired = try await Self.schemas(in: database).filter { $0.hasPrefix("read_model_retired_") }
                #expect(retired == [report.retired.name], "the previous copy is kept under its retired name")

                // Lookups on connections that served before the switch read
                // the new copy: a position (already reached) bypasses the
                // cache, so this runs the prepared resolution statement.
                let newest = try await withPostgres(url: database) { client in
                    var version: Int32 = 0
                    for try await value in try await client.query(
                        "SELECT max(version) FROM images WHERE owner = 'rebuild0' AND namespace_path = 'ci' AND name = 'image3'"
                    ).decode(Int32.self) { version = value }
                    return Int(version)
                }
                let afterSwitch = try await projector.call(.get, lookup + "&after=0:0", token: token)
                #expect(afterSwitch["version"] as? Int == newest, "the newest version, written after the switch")
            }
        }

        let rebuilt = try await ReadModelSnapshot.read(from: database)
        #expect(rebuilt.appliedEvents == Int64(events.count), "nothing missing, nothing applied twice across the switch")
        #expect(rebuilt.images.count == events.count - 8)

        let replay = try await ReadModelSnapshot.cleanReplay(of: topic, records: Int64(events.count))
        #expect(replay == rebuilt, "identical to a clean replay")
    }

    /// Set once, read from any task.
    final class Flag: Sendable {
        private let state = Mutex(false)
        func set() { state.withLock { $0 = true } }
        var isSet: Bool { state.withLock { $0 } }
    }

    static func schemas(in database: String) async throws -> [String] {
        try await withPostgres(url: database) { client in
            var names: [String] = []
            for try await name in try await client.query("SELECT nspname FROM pg_namespace ORDER BY nspname")
                .decode(String.self) { names.append(name) }
            return names
        }
    }
}
