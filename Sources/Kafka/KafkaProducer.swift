import CRdKafka
import Logging
import ServiceLifecycle
import Synchronization

/// An idempotent Kafka producer (`acks=all`, `enable.idempotence=true`).
///
/// ``send(topic:key:value:headers:)`` returns only once the broker has
/// acknowledged the record, with the partition and offset it was stored at.
/// Delivery reports are served by a poll loop on a dedicated thread, which
/// ``run()`` starts; on shutdown it flushes every outstanding record.
///
/// An idempotent producer whose identity the broker stops accepting (a fatal
/// error, or a restarted broker that rejects its producer id or epoch) fails
/// every later record. The poll loop then replaces it with a new client:
/// records still queued in the old one fail (their senders see an error and
/// may retry), and later records go through the new one. The old client is
/// dropped on the poll thread once it has held nothing for a while. Which
/// client takes records, and when, is ``ProducerStateMachine``'s to decide.
public final class KafkaProducer: Service, Sendable {
    private let properties: [String: String]
    /// Which client takes records; internal so tests can see a replacement.
    let machine: Mutex<ProducerStateMachine<RDKafkaClient>>
    private let flushTimeoutMilliseconds: Int32
    private let logger: Logger

    public init(configuration: KafkaProducerConfiguration, flushTimeoutMilliseconds: Int32 = 10_000, logger: Logger) throws {
        self.properties = configuration.properties
        self.machine = Mutex(ProducerStateMachine(client: try Self.makeClient(self.properties)))
        self.flushTimeoutMilliseconds = flushTimeoutMilliseconds
        self.logger = logger
    }

    private static func makeClient(_ properties: [String: String]) throws -> RDKafkaClient {
        try RDKafkaClient(.producer, properties: properties, callbacks: .deliveryReports)
    }

    /// Sends one record and waits for the broker's acknowledgement.
    ///
    /// Records with the same key go to the same partition, in order.
    public func send(topic: String, key: [UInt8], value: [UInt8], headers: [KafkaHeader] = []) async throws
        -> KafkaRecordPosition
    {
        guard let handle = machine.withLock({ $0.clientForSend }) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__DESTROY, context: "producer is shutting down")
        }
        do {
            return try await handle.produce(topic: topic, key: key, value: value, headers: headers)
        } catch let error as KafkaError where error.requiresNewProducer {
            machine.withLock { $0.failed(handle, reason: "the broker no longer accepts its producer id or epoch") }
            throw error
        }
    }

    /// Serves delivery reports until shutdown, then flushes outstanding records.
    public func run() async throws {
        let stop: @Sendable () -> Void = { self.machine.withLock { _ = $0.beginDraining() } }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await DedicatedThread.run(name: "kafka-producer-poll") { self.pollUntilDraining() }
            } onGracefulShutdown: {
                stop()
            }
        } onCancel: {
            stop()
        }
        logger.info("producer stopped")
    }

    /// The poll loop, on its own thread: serves delivery reports, replaces a
    /// client that can no longer produce, purges replaced ones, and at
    /// shutdown flushes (``ProducerStateMachine``).
    private func pollUntilDraining() {
        while let handle = machine.withLock({ $0.clientToPoll }) {
            handle.poll(milliseconds: 100)
            if let reason = handle.fatalError {
                machine.withLock { $0.failed(handle, reason: reason) }
            }
            if let reason = machine.withLock({ $0.replacementReason }) {
                replace(reason: reason)
            }
            let retired = machine.withLock { machine in
                machine.retiredToPurge(at: .now, grace: .seconds(30)) { $0.outstandingRecords == 0 }
            }
            retired.forEach { $0.failOutstanding() }
        }
        let (current, retired) = machine.withLock { machine in
            (machine.current, machine.retired.map(\.client))
        }
        retired.forEach { $0.failOutstanding() }
        flushAndClose(current)
        machine.withLock { $0.finish() }
    }

    /// Puts a new client in place of the failed one; on failure the next poll tries again.
    private func replace(reason: String) {
        do {
            let replacement = try Self.makeClient(properties)
            machine.withLock { $0.replaced(with: replacement, at: .now) }
            logger.error("producer hit a fatal error; replaced it with a new one", metadata: ["reason": "\(reason)"])
        } catch {
            logger.error("producer hit a fatal error and could not be replaced", metadata: ["error": "\(error)"])
        }
    }

    /// Flushes, then fails whatever is still waiting, so no caller hangs.
    private func flushAndClose(_ client: RDKafkaClient) {
        if !client.flush(milliseconds: flushTimeoutMilliseconds) {
            logger.error("producer flush did not finish", metadata: ["pending": "\(client.outstandingRecords)"])
        }
        client.failOutstanding()
    }
}
