/// A record read from a topic.
public struct KafkaMessage: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]
    public let value: [UInt8]
    public let headers: [KafkaHeader]

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8], value: [UInt8], headers: [KafkaHeader]) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
    }
}
