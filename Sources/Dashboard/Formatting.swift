import Foundation

/// How pages write sizes, times and digests.
enum Formatting {
    /// Bytes in GiB, MiB or KiB, one decimal (binary units, as `qemu-img` writes them).
    static func size(_ bytes: Int64) -> String {
        let units: [(String, Int64)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (unit, scale) in units where bytes >= scale {
            // Tenths, rounded half up, in integers that cannot overflow
            // (String(format:) costs more than a table row).
            var whole = bytes / scale
            var tenths = ((bytes % scale) * 10 + scale / 2) / scale
            if tenths == 10 { (whole, tenths) = (whole + 1, 0) }
            return "\(whole).\(tenths) \(unit)"
        }
        return "\(bytes) B"
    }

    /// How long ago `date` was, in the largest whole unit ("3 minutes ago").
    static func age(of date: Date, now: Date = Date()) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        if seconds < 0 { return "in the future" }
        let units: [(String, Int)] = [("year", 365 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)]
        for (unit, length) in units where seconds >= length {
            let count = seconds / length
            return "\(count) \(unit)\(count == 1 ? "" : "s") ago"
        }
        return "just now"
    }

    /// The exact time in UTC (`2026-12-03T15:30:44Z`), shown on hover and
    /// read by machines; written by hand, as pages show many of them and
    /// Foundation's formatters cost more than the rest of a row.
    static func exact(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// A date as the pages show it: relative, with the exact time beside.
    static func time(_ date: Date?) -> [String: String]? {
        date.map { ["relative": age(of: $0), "exact": exact($0)] }
    }

    /// A value a template tests with a section: the text, or `false` when
    /// there is none. Mustache renders a section for an empty string, and
    /// looks a missing key up in the enclosing context (a version's row would
    /// show the page's own deprecation), so "none" is always written out.
    static func section(_ text: String?) -> Any {
        guard let text, !text.isEmpty else { return false }
        return text
    }

    /// The first 12 hex digits of a digest, as `docker images` shows them.
    static func shortDigest(_ hex: String) -> String { String(hex.prefix(12)) }

    /// `value` escaped for a URL's query.
    static func query(_ value: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#@/")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A query string of the non-empty `fields`, in order.
    static func queryString(_ fields: [(String, String?)]) -> String {
        fields.compactMap { name, value in
            guard let value, !value.isEmpty else { return nil }
            return "\(name)=\(query(value))"
        }.joined(separator: "&")
    }
}
