import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes each log event as one line of JSON on
/// standard error, for log pipelines that index fields (`LOG_FORMAT=json`):
/// `timestamp` (UTC, milliseconds), `level`, `logger` (the label),
/// `message`, then every metadata key (such as `hb.request.id`,
/// `event.id` and `position`) as a field of its own.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// Fields every line has; metadata with these names goes under `metadata`.
    static let reservedFields: Set<String> = ["timestamp", "level", "logger", "message", "source"]

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, metadataProvider: metadataProvider) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// A handler that gives each line to `write` (tests read them).
    init(label: String, metadataProvider: Logger.MetadataProvider? = nil, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let given = event.metadata { merged.merge(given) { $1 } }
        write(Self.line(
            timestamp: Date(), level: event.level, label: label, message: event.message.description,
            source: event.source, metadata: merged))
    }

    /// One log event as one line of JSON.
    static func line(
        timestamp: Date, level: Logger.Level, label: String, message: String, source: String, metadata: Logger.Metadata
    ) -> String {
        var fields: [String: Any] = [
            "timestamp": timestampFormat.format(timestamp), "level": level.rawValue, "logger": label,
            "message": message, "source": source,
        ]
        var clashing: [String: Any] = [:]
        for (key, value) in metadata {
            if reservedFields.contains(key) { clashing[key] = json(value) } else { fields[key] = json(value) }
        }
        if !clashing.isEmpty { fields["metadata"] = clashing }
        // Strings, arrays and dictionaries of strings always serialize.
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data(#"{"message":"unencodable log event"}"#.utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let entries): entries.mapValues(json)
        }
    }

    private static let timestampFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

/// How the services write their logs (`LOG_FORMAT`).
public enum LogFormat: String, Sendable {
    /// swift-log's plain text lines.
    case text
    /// One JSON object per line (``JSONLogHandler``).
    case json

    /// Installs the format as the process's logging backend, once, before
    /// any logger is made.
    public func bootstrap() {
        switch self {
        case .text: LoggingSystem.bootstrap(StreamLogHandler.standardError)
        case .json: LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        }
    }
}
