import Foundation
import Kafka

/// Whether the event topic keeps every record forever, judged from the
/// configuration the broker reports for it. The log is the registry's
/// record of truth: a rebuild that replays a log whose oldest records were
/// deleted would build a read model that lacks them, and say nothing.
public enum EventLogRetention: Equatable, Sendable {
    /// No record is ever deleted.
    case forever
    /// Nothing reported says records are deleted, but the broker did not
    /// report these properties (their broker-wide defaults apply).
    case unreported([String])
    /// Records are deleted, for the reasons given.
    case finite([String])

    /// The properties that decide retention.
    static let properties = ["retention.ms", "retention.bytes", "cleanup.policy"]

    public init(reported: [String: TopicProperty]) {
        var reasons: [String] = []
        var unreported: [String] = []
        for name in Self.properties {
            guard let value = reported[name]?.value else {
                unreported.append(name)
                continue
            }
            if let reason = Self.deletes(name, value) { reasons.append(reason) }
        }
        if !reasons.isEmpty {
            self = .finite(reasons)
        } else if !unreported.isEmpty {
            self = .unreported(unreported)
        } else {
            self = .forever
        }
    }

    /// Why `name`=`value` deletes records; `nil` when it does not.
    private static func deletes(_ name: String, _ value: String) -> String? {
        switch name {
        case "cleanup.policy":
            let policies = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return policies.contains("compact")
                ? "cleanup.policy=\(value) keeps only the newest record of each key" : nil
        case "retention.ms":
            guard let milliseconds = Int64(value) else { return "retention.ms=\(value) is not a number" }
            guard milliseconds >= 0 else { return nil }
            return "retention.ms=\(value) deletes records after \(Self.describe(milliseconds: milliseconds))"
        default:
            guard let bytes = Int64(value) else { return "\(name)=\(value) is not a number" }
            return bytes >= 0 ? "\(name)=\(value) deletes the oldest records beyond \(bytes) bytes per partition" : nil
        }
    }

    private static func describe(milliseconds: Int64) -> String {
        let hours = Double(milliseconds) / 3_600_000
        if hours >= 48 { return "\(Int((hours / 24).rounded())) days" }
        if hours >= 2 { return "\(Int(hours.rounded())) hours" }
        return "\(milliseconds / 1000) seconds"
    }
}
