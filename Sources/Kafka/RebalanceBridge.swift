import CRdKafka
import Foundation
import Logging

/// Serves librdkafka's rebalance callback on the poll thread: asks the
/// ``PartitionAssignmentHandler`` for start positions, then assigns.
final class RebalanceBridge: Sendable {
    private let handler: any PartitionAssignmentHandler
    private let logger: Logger

    init(handler: any PartitionAssignmentHandler, logger: Logger) {
        self.handler = handler
        self.logger = logger
    }

    /// Runs on the consumer's poll thread, inside `rd_kafka_consumer_poll`.
    func rebalance(client: OpaquePointer, error: rd_kafka_resp_err_t, partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let numbers = partitions.map(Self.partitionNumbers) ?? []
        switch error {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let positions = startPositions(for: numbers)
            if let partitions {
                for index in 0..<Int(partitions.pointee.cnt) {
                    let element = partitions.pointee.elems.advanced(by: index)
                    element.pointee.offset = positions[element.pointee.partition] ?? Int64(RD_KAFKA_OFFSET_BEGINNING)
                }
            }
            logger.info("partitions assigned", metadata: ["partitions": "\(numbers)", "positions": "\(positions)"])
            rd_kafka_assign(client, partitions)
        default:
            let handler = self.handler
            DedicatedThread.blockingWait { await handler.partitionsRevoked(numbers) }
            logger.info("partitions revoked", metadata: ["partitions": "\(numbers)"])
            rd_kafka_assign(client, nil)
        }
    }

    /// Asks the handler until it answers: without positions, assigning would
    /// risk reading from the wrong place.
    private func startPositions(for partitions: [Int32]) -> [Int32: Int64] {
        let handler = self.handler
        var delay: TimeInterval = 0.1
        while true {
            let result: Result<[Int32: Int64], any Error> = DedicatedThread.blockingWait {
                do { return .success(try await handler.partitionsAssigned(partitions)) } catch { return .failure(error) }
            }
            switch result {
            case .success(let positions):
                return positions
            case .failure(let error):
                logger.error("could not load start positions; retrying", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: delay)  // this is the poll thread, not the pool
                delay = min(delay * 2, 5)
            }
        }
    }

    private static func partitionNumbers(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [Int32] {
        (0..<Int(list.pointee.cnt)).map { list.pointee.elems[$0].partition }
    }
}
