import Foundation
import Logging
import Synchronization
import Testing

@testable import RegistryRuntime

/// `LOG_FORMAT=json`: one JSON object per log event, metadata as fields.
@Suite struct JSONLogHandlerTests {
    /// Collects the lines a handler writes.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ line: String) { lines.withLock { $0.append(line) } }
    }

    @Test func eachEventIsOneLineOfJSONWithItsMetadataAsFields() throws {
        let lines = Lines()
        var logger = Logger(label: "image-ingest") { label in JSONLogHandler(label: label) { lines.append($0) } }
        logger[metadataKey: "hb.request.id"] = "req-1"
        logger.info(
            "event recorded\nwith \"quotes\"",
            metadata: ["event.id": "3f2a", "position": "0@7", "tags": ["a", "b"], "message": "clash"])
        logger.debug("below the level, not written")
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(!line.contains("\n"))
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(fields["level"] as? String == "info")
        #expect(fields["logger"] as? String == "image-ingest")
        #expect(fields["message"] as? String == "event recorded\nwith \"quotes\"")
        #expect(fields["hb.request.id"] as? String == "req-1")
        #expect(fields["event.id"] as? String == "3f2a")
        #expect(fields["position"] as? String == "0@7")
        #expect(fields["tags"] as? [String] == ["a", "b"])
        // Metadata named like a field of every line does not replace it.
        #expect((fields["metadata"] as? [String: Any])?["message"] as? String == "clash")
        let timestamp = try #require(fields["timestamp"] as? String)
        #expect(timestamp.hasSuffix("Z") && timestamp.contains("."))
    }

    @Test func onlyTextAndJSONAreFormats() {
        #expect(LogFormat(rawValue: "json") == .json)
        #expect(LogFormat(rawValue: "text") == .text)
        #expect(LogFormat(rawValue: "yaml") == nil)
    }
}
