import ArgumentParser
import Crypto
import Foundation
import Kafka
import Logging
import RegistryDomain

/// `registry-events`: writes synthetic events straight to a topic, encoded
/// by the same ``CloudEventsCodec`` the ingest uses, so that benchmarks and
/// tools never carry a second copy of the event format.
@main
struct RegistryEvents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry-events",
        abstract: "Write synthetic events to a topic, as many ingest replicas would.")

    @Option(help: "Kafka bootstrap servers.")
    var brokers = "127.0.0.1:9092"

    @Option(help: "The topic, created with --partitions when missing.")
    var topic: String

    @Option(help: "Partitions of a topic this creates.")
    var partitions: Int32 = 12

    @Option(help: "How many image-created events to write.")
    var count: Int

    @Option(help: "How many owners the events are spread over (each owner's events share a key).")
    var owners = 1000

    @Option(help: "How many image names each owner's events cycle through.")
    var names = 50

    @Flag(help: "Write a deterministic history that touches every rule of the fold (MixedHistory), not only registrations.")
    var mixed = false

    /// Records handed to the producer but not yet acknowledged, at most.
    static let inFlight = 20_000

    func validate() throws {
        guard count >= 0, owners > 0, names > 0, partitions > 0 else {
            throw ValidationError("--count must be 0 or more; --owners, --names and --partitions more than 0")
        }
    }

    func run() async throws {
        var logger = Logger(label: "registry-events")
        logger.logLevel = .warning
        let client = KafkaClientConfiguration(bootstrapServers: brokers, additionalProperties: [
            "batch.num.messages": "10000", "queue.buffering.max.messages": "1000000",
        ])
        try await KafkaAdmin.createTopic(
            topic, KafkaTopicConfiguration(partitions: partitions, replicationFactor: 1), configuration: client)
        var configuration = KafkaProducerConfiguration(client: client)
        // Throughput, not one request's latency: fuller batches.
        configuration.linger = .milliseconds(50)
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let (topic, count) = (self.topic, self.count)
        let events = SyntheticImages(owners: owners, names: names)
        let history = MixedHistory(owners: owners, names: names)
        let mixed = self.mixed
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            try await withThrowingTaskGroup(of: Void.self) { sends in
                for index in 0..<count {
                    if index >= Self.inFlight { try await sends.next() }
                    let record = mixed ? try history.record(index) : CloudEventsCodec.encode(try events.envelope(index))
                    sends.addTask {
                        _ = try await producer.send(
                            topic: topic, key: record.key, value: record.value,
                            headers: record.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
                    }
                }
                try await sends.waitForAll()
            }
            group.cancelAll()
        }
        print("wrote \(count) events to \(topic)")
    }
}

/// The `index`th synthetic registration: owner `rebuild<i mod owners>`,
/// name `img<i mod names>`, a digest and size of its own.
struct SyntheticImages {
    let owners: Int
    let names: Int
    let time = Date()

    func envelope(_ index: Int) throws -> EventEnvelope {
        let owner = try Username("rebuild\(index % owners)")
        let image = ImageCreated(
            imageID: UUID(), source: .custom, owner: owner, namespace: nil, name: "img\(index % names)",
            driver: .qemu, location: try ImageLocation("file:///var/lib/djinn/images/rebuild\(index).qcow2"),
            sha256: SHA256Digest(SHA256.hash(data: Array(String(index).utf8))), size: Int64(1024 + index))
        return EventEnvelope(source: "bench", time: time, actor: owner, subject: owner.value, event: .imageCreated(image))
    }
}
