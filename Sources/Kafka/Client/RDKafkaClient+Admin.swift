import CRdKafka

/// Topic administration through librdkafka's admin API.
extension RDKafkaClient {
    /// Creates `topic` unless it exists; blocks until the broker answers or
    /// the timeout passes, so call it from a thread of its own.
    func createTopic(_ topic: String, partitions: Int32, replicationFactor: Int32, timeoutMilliseconds: Int32)
        -> KafkaError?
    {
        var errorText = [CChar](repeating: 0, count: 512)
        guard let newTopic = rd_kafka_NewTopic_new(topic, partitions, replicationFactor, &errorText, errorText.count) else {
            return KafkaError(message: "invalid topic \(topic)")
        }
        defer { rd_kafka_NewTopic_destroy(newTopic) }
        let options = rd_kafka_AdminOptions_new(pointer, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &errorText, errorText.count)
        let queue = rd_kafka_queue_new(pointer)
        defer { rd_kafka_queue_destroy(queue) }
        var topics: [OpaquePointer?] = [newTopic]
        rd_kafka_CreateTopics(pointer, &topics, 1, options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds + 1000) else {
            return KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT, context: "creating topic \(topic)")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return KafkaError(code: eventError, context: "creating topic \(topic)")
        }
        var count = 0
        guard let created = rd_kafka_event_CreateTopics_result(event),
            let results = rd_kafka_CreateTopics_result_topics(created, &count)
        else { return KafkaError(message: "creating topic \(topic): no result") }
        for index in 0..<count {
            let code = rd_kafka_topic_result_error(results[index])
            if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
                return KafkaError(code: code, context: "creating topic \(topic)")
            }
        }
        return nil
    }
}
