/// The W3C trace context an event carries (the CloudEvents distributed
/// tracing extension: `traceparent` and `tracestate`), so that applying the
/// event joins the trace of the request that recorded it.
///
/// A record's trace context is checked like any other attribute, but a bad
/// one never makes the event poison: it is metadata for operators, so it is
/// dropped and the event is applied without it.
public struct EventTraceContext: Sendable, Equatable {
    /// `version-traceid-parentid-flags`, for example
    /// `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`.
    public let traceParent: String
    /// Vendor-specific entries, at most 512 characters as W3C allows.
    public let traceState: String?

    /// The context, or `nil` when `traceParent` is not a valid W3C
    /// `traceparent` (version 00, non-zero ids, lower-case hex). An invalid
    /// `traceState` is dropped on its own.
    public init?(traceParent: String?, traceState: String? = nil) {
        guard let traceParent, Self.isValidTraceParent(traceParent) else { return nil }
        self.traceParent = traceParent
        self.traceState = traceState.flatMap { Self.isValidTraceState($0) ? $0 : nil }
    }

    static func isValidTraceParent(_ text: String) -> Bool {
        let fields = text.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard fields.count == 4, fields.map(\.count) == [2, 32, 16, 2],
            fields.allSatisfy({ $0.allSatisfy(isLowerHex) }),
            fields[0].elementsEqual("00".utf8)
        else { return false }
        return !fields[1].allSatisfy { $0 == UInt8(ascii: "0") } && !fields[2].allSatisfy { $0 == UInt8(ascii: "0") }
    }

    /// Printable ASCII without control characters, at most 512 bytes.
    static func isValidTraceState(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 512 && text.utf8.allSatisfy { (0x20...0x7E).contains($0) }
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
