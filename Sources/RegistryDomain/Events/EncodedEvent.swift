/// An event as it travels in a Kafka record: key, headers and value bytes.
public struct EncodedEvent: Sendable, Equatable {
    /// A record header, CloudEvents binary mode puts attributes here.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: [UInt8]

        public init(name: String, value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    public var key: [UInt8]
    public var headers: [Header]
    public var value: [UInt8]

    public init(key: [UInt8], headers: [Header], value: [UInt8]) {
        self.key = key
        self.headers = headers
        self.value = value
    }

    /// The first header of that name, as text.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }.map { String(decoding: $0.value, as: UTF8.self) }
    }
}
