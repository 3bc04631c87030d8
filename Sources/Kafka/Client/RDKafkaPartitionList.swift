import CRdKafka

/// An `rd_kafka_topic_partition_list_t` this wrapper owns.
final class RDKafkaPartitionList: @unchecked Sendable {
    private let list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// A copy of a list librdkafka lends to a callback.
    init(copying list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.list = rd_kafka_topic_partition_list_copy(list)
    }

    /// `partitions` of `topic`, each at its offset when given.
    init(topic: String, partitions: [Int32], offsets: [Int32: Int64] = [:]) {
        list = rd_kafka_topic_partition_list_new(Int32(partitions.count))
        for partition in partitions {
            let element = rd_kafka_topic_partition_list_add(list, topic, partition)!
            if let offset = offsets[partition] { element.pointee.offset = offset }
        }
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(list)
    }

    var numbers: [Int32] {
        (0..<Int(list.pointee.cnt)).map { list.pointee.elems[$0].partition }
    }

    /// Starts each partition at its position; one left out starts at its earliest record.
    func setOffsets(_ positions: [Int32: Int64]) {
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems.advanced(by: index)
            element.pointee.offset = positions[element.pointee.partition] ?? Int64(RD_KAFKA_OFFSET_BEGINNING)
        }
    }

    func withPointer<Result>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Result) -> Result {
        body(list)
    }
}
