/// A single `Range: bytes=…` request against a file of known size.
public enum ByteRange: Equatable, Sendable {
    /// No usable range: send the whole file (200).
    case whole
    /// Send these bytes (206).
    case partial(ClosedRange<Int64>)
    /// The range lies outside the file (416).
    case unsatisfiable

    /// Parses `bytes=a-b`, `bytes=a-` and `bytes=-n`. Several ranges, other
    /// units and malformed headers fall back to the whole file, as RFC 9110
    /// allows a server to ignore a Range header.
    public init(header: String?, size: Int64) {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else {
            self = .whole
            return
        }
        let spec = header.dropFirst("bytes=".count).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else {
            self = .whole
            return
        }
        let first = spec[0].isEmpty ? nil : Int64(spec[0])
        let last = spec[1].isEmpty ? nil : Int64(spec[1])
        switch (spec[0].isEmpty, spec[1].isEmpty, first, last) {
        case (false, _, let start?, _) where start >= 0:
            if !spec[1].isEmpty && last == nil {
                self = .whole
                return
            }
            guard start < size else {
                self = .unsatisfiable
                return
            }
            let end = min(last ?? size - 1, size - 1)
            self = end >= start ? .partial(start...end) : .whole
        case (true, false, _, let suffix?) where suffix >= 0:
            guard suffix > 0, size > 0 else {
                self = .unsatisfiable
                return
            }
            self = .partial(max(0, size - suffix)...(size - 1))
        default:
            self = .whole
        }
    }
}
