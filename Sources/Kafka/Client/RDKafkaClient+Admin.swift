import CRdKafka

/// Topic administration through librdkafka's admin API. Each call blocks
/// until the broker answers or the timeout passes, so call it from a thread
/// of its own.
extension RDKafkaClient {
    /// Creates `topic` with `configuration` (topic-level properties) unless
    /// it exists; an existing topic is left as it is.
    func createTopic(
        _ topic: String, partitions: Int32, replicationFactor: Int32, configuration: [String: String],
        timeoutMilliseconds: Int32
    ) -> KafkaError? {
        var errorText = [CChar](repeating: 0, count: 512)
        guard let newTopic = rd_kafka_NewTopic_new(topic, partitions, replicationFactor, &errorText, errorText.count) else {
            return KafkaError(message: "invalid topic \(topic)")
        }
        defer { rd_kafka_NewTopic_destroy(newTopic) }
        for (name, value) in configuration.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_NewTopic_set_config(newTopic, name, value)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return KafkaError(code: result, context: "topic property \(name)=\(value)")
            }
        }
        let context = "creating topic \(topic)"
        let outcome = adminRequest(RD_KAFKA_ADMIN_OP_CREATETOPICS, context: context, timeoutMilliseconds: timeoutMilliseconds) {
            options, queue in
            var topics: [OpaquePointer?] = [newTopic]
            rd_kafka_CreateTopics(pointer, &topics, 1, options, queue)
        } result: { event -> KafkaError? in
            var count = 0
            guard let created = rd_kafka_event_CreateTopics_result(event),
                let results = rd_kafka_CreateTopics_result_topics(created, &count)
            else { return KafkaError(message: "\(context): no result") }
            for index in 0..<count {
                let code = rd_kafka_topic_result_error(results[index])
                if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
                    return KafkaError(code: code, context: context)
                }
            }
            return nil
        }
        switch outcome {
        case .success(let refusal): return refusal
        case .failure(let error): return error
        }
    }

    /// The configuration the broker reports for `topic`: each property's
    /// value, with whether it is the broker's default rather than set on
    /// the topic. Some brokers report only what was set on the topic.
    func topicConfiguration(_ topic: String, timeoutMilliseconds: Int32) -> Result<[String: TopicProperty], KafkaError> {
        guard let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic) else {
            return .failure(KafkaError(message: "invalid topic \(topic)"))
        }
        defer { rd_kafka_ConfigResource_destroy(resource) }
        let context = "describing topic \(topic)"
        let outcome = adminRequest(
            RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, context: context, timeoutMilliseconds: timeoutMilliseconds
        ) { options, queue in
            var resources: [OpaquePointer?] = [resource]
            rd_kafka_DescribeConfigs(pointer, &resources, 1, options, queue)
        } result: { event -> Result<[String: TopicProperty], KafkaError> in
            var count = 0
            guard let described = rd_kafka_event_DescribeConfigs_result(event),
                let resources = rd_kafka_DescribeConfigs_result_resources(described, &count), count == 1,
                let reported = resources[0]
            else { return .failure(KafkaError(message: "\(context): no result")) }
            let code = rd_kafka_ConfigResource_error(reported)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { return .failure(KafkaError(code: code, context: context)) }
            var entryCount = 0
            var properties: [String: TopicProperty] = [:]
            guard let entries = rd_kafka_ConfigResource_configs(reported, &entryCount) else { return .success([:]) }
            for index in 0..<entryCount {
                guard let entry = entries[index], let name = rd_kafka_ConfigEntry_name(entry) else { continue }
                properties[String(cString: name)] = TopicProperty(
                    value: rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) },
                    isDefault: rd_kafka_ConfigEntry_is_default(entry) != 0)
            }
            return .success(properties)
        }
        return outcome.flatMap { $0 }
    }

    /// Sends one admin request (`send` queues it with the options and the
    /// reply queue) and reads its answer with `result`.
    private func adminRequest<Answer>(
        _ operation: rd_kafka_admin_op_t, context: String, timeoutMilliseconds: Int32,
        send: (OpaquePointer?, OpaquePointer?) -> Void, result: (OpaquePointer) -> Answer
    ) -> Result<Answer, KafkaError> {
        var errorText = [CChar](repeating: 0, count: 512)
        let options = rd_kafka_AdminOptions_new(pointer, operation)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &errorText, errorText.count)
        let queue = rd_kafka_queue_new(pointer)
        defer { rd_kafka_queue_destroy(queue) }
        send(options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds + 1000) else {
            return .failure(KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT, context: context))
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(KafkaError(code: eventError, context: context))
        }
        return .success(result(event))
    }
}

/// One property of a topic's configuration, as the broker reports it.
public struct TopicProperty: Sendable, Equatable {
    /// The value; `nil` when the broker withholds it (a sensitive value).
    public var value: String?
    /// True when the value is the broker's default, not set on the topic.
    public var isDefault: Bool

    public init(value: String?, isDefault: Bool = false) {
        self.value = value
        self.isDefault = isDefault
    }
}
