import Foundation

/// A namespace's retention policy: which live versions of each image name
/// to keep. A version is kept when any rule keeps it; the newest version of
/// a name is always kept. A policy without rules keeps everything.
public struct RetentionPolicy: Codable, Sendable, Equatable {
    /// Keep the newest N versions of each name.
    public var keepNewest: Int?
    /// Keep versions a build resolved within D days, and versions created
    /// within D days (they have not had the chance to be resolved yet).
    public var keepResolvedDays: Int?
    /// Keep versions a build pinned by digest (`name@sha256:…`) within D days.
    public var keepPinnedDays: Int?

    public init(keepNewest: Int? = nil, keepResolvedDays: Int? = nil, keepPinnedDays: Int? = nil) {
        self.keepNewest = keepNewest
        self.keepResolvedDays = keepResolvedDays
        self.keepPinnedDays = keepPinnedDays
    }

    /// Whether the policy has no rule (and so removes nothing).
    public var isEmpty: Bool { keepNewest == nil && keepResolvedDays == nil && keepPinnedDays == nil }

    /// Checks the rules' ranges: 1 to 1000 versions, 1 to 3650 days.
    public func validate() throws(NameError) {
        if let keepNewest, !(1...1000).contains(keepNewest) {
            throw NameError(field: "retention.keep_newest", message: "must be from 1 to 1000")
        }
        for (field, days) in [("keep_resolved_days", keepResolvedDays), ("keep_pinned_days", keepPinnedDays)] {
            if let days, !(1...3650).contains(days) {
                throw NameError(field: "retention.\(field)", message: "must be from 1 to 3650 days")
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case keepNewest = "keep_newest"
        case keepResolvedDays = "keep_resolved_days"
        case keepPinnedDays = "keep_pinned_days"
    }
}

/// One live version as retention sees it: its place among its name's
/// versions and when builds last used it.
public struct RetentionCandidate: Sendable, Equatable {
    public var imageID: UUID
    public var name: String
    public var version: Int
    public var createdAt: Date
    /// The last time a build resolved it (by name or pinned); `nil`: never.
    public var lastResolved: Date?
    /// The last time a build pinned it by digest; `nil`: never.
    public var lastPinned: Date?

    public init(imageID: UUID, name: String, version: Int, createdAt: Date, lastResolved: Date?, lastPinned: Date?) {
        self.imageID = imageID
        self.name = name
        self.version = version
        self.createdAt = createdAt
        self.lastResolved = lastResolved
        self.lastPinned = lastPinned
    }
}

/// A version a policy removes, and why.
public struct RetentionRemoval: Sendable, Equatable {
    public var imageID: UUID
    public var name: String
    public var version: Int
    public var reason: String

    public init(imageID: UUID, name: String, version: Int, reason: String) {
        self.imageID = imageID
        self.name = name
        self.version = version
        self.reason = reason
    }
}

extension RetentionPolicy {
    /// The versions of `candidates` this policy removes at `now`, oldest
    /// name first and, within a name, oldest version first. A preview and
    /// the run that applies it both come from here.
    public func removals(of candidates: [RetentionCandidate], at now: Date) -> [RetentionRemoval] {
        guard !isEmpty else { return [] }
        let day: TimeInterval = 24 * 3600
        let byName = Dictionary(grouping: candidates, by: \.name)
        var removals: [RetentionRemoval] = []
        for name in byName.keys.sorted() {
            let versions = byName[name, default: []].sorted { $0.version > $1.version }
            for (rank, candidate) in versions.enumerated() where rank > 0 {
                if let keepNewest, rank < keepNewest { continue }
                if let days = keepResolvedDays {
                    let since = now.addingTimeInterval(-Double(days) * day)
                    if candidate.createdAt >= since || (candidate.lastResolved.map { $0 >= since } ?? false) { continue }
                }
                if let days = keepPinnedDays, let pinned = candidate.lastPinned,
                    pinned >= now.addingTimeInterval(-Double(days) * day)
                {
                    continue
                }
                removals.append(RetentionRemoval(
                    imageID: candidate.imageID, name: name, version: candidate.version, reason: reason(rank: rank)))
            }
        }
        return removals.sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }

    private func reason(rank: Int) -> String {
        var parts: [String] = []
        if let keepNewest { parts.append("not among the newest \(keepNewest) (it is number \(rank + 1))") }
        if let days = keepResolvedDays { parts.append("not created or resolved by a build in \(days) days") }
        if let days = keepPinnedDays { parts.append("not pinned by a build in \(days) days") }
        return "retention policy: " + parts.joined(separator: "; ")
    }
}
