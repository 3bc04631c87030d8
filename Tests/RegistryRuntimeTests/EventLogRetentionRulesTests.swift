import Kafka
import RegistryRuntime
import Testing

/// Whether a topic's reported configuration keeps the event log forever.
@Suite struct EventLogRetentionRulesTests {
    static func reported(_ values: [String: String]) -> [String: TopicProperty] {
        values.mapValues { TopicProperty(value: $0) }
    }

    static let forever = ["retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"]

    @Test func noTimeOrSizeLimitAndNoCompactionKeepsEverything() {
        #expect(EventLogRetention(reported: Self.reported(Self.forever)) == .forever)
    }

    @Test func aTimeLimitASizeLimitOrCompactionDeletesRecords() {
        let week = Self.forever.merging(["retention.ms": "604800000"]) { $1 }
        #expect(EventLogRetention(reported: Self.reported(week))
            == .finite(["retention.ms=604800000 deletes records after 7 days"]))
        let hours = Self.forever.merging(["retention.ms": "10800000"]) { $1 }
        #expect(EventLogRetention(reported: Self.reported(hours))
            == .finite(["retention.ms=10800000 deletes records after 3 hours"]))
        let sized = Self.forever.merging(["retention.bytes": "1073741824", "cleanup.policy": "compact,delete"]) { $1 }
        #expect(EventLogRetention(reported: Self.reported(sized)) == .finite([
            "retention.bytes=1073741824 deletes the oldest records beyond 1073741824 bytes per partition",
            "cleanup.policy=compact,delete keeps only the newest record of each key",
        ]))
        let garbled = Self.forever.merging(["retention.ms": "forever"]) { $1 }
        #expect(EventLogRetention(reported: Self.reported(garbled)) == .finite(["retention.ms=forever is not a number"]))
    }

    @Test func propertiesTheBrokerDidNotReportAreNamed() {
        #expect(EventLogRetention(reported: Self.reported(["retention.ms": "-1"]))
            == .unreported(["retention.bytes", "cleanup.policy"]))
        #expect(EventLogRetention(reported: [:]) == .unreported(["retention.ms", "retention.bytes", "cleanup.policy"]))
        // A withheld value counts as unreported; a finite one still refuses.
        var withheld = Self.reported(Self.forever)
        withheld["retention.bytes"] = TopicProperty(value: nil)
        withheld["retention.ms"] = TopicProperty(value: "86400000")
        #expect(EventLogRetention(reported: withheld) == .finite(["retention.ms=86400000 deletes records after 24 hours"]))
    }
}
