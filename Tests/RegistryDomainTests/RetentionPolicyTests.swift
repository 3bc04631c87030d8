import Foundation
import RegistryDomain
import Testing

@Suite("Retention policies")
struct RetentionPolicyTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 24 * 3600

    static func version(_ number: Int, name: String = "runner", age days: Double, resolved: Double? = nil, pinned: Double? = nil)
        -> RetentionCandidate
    {
        RetentionCandidate(
            imageID: UUID(), name: name, version: number, createdAt: now.addingTimeInterval(-days * day),
            lastResolved: resolved.map { now.addingTimeInterval(-$0 * day) },
            lastPinned: pinned.map { now.addingTimeInterval(-$0 * day) })
    }

    @Test("the newest version of each name always stays; keep_newest keeps that many")
    func newest() {
        let versions = (1...5).map { Self.version($0, age: Double(10 - $0)) } + [Self.version(1, name: "other", age: 99)]
        let removed = RetentionPolicy(keepNewest: 2).removals(of: versions, at: Self.now)
        #expect(removed.map(\.version) == [1, 2, 3])
        #expect(removed.allSatisfy { $0.name == "runner" && $0.reason.contains("not among the newest 2") })
        #expect(RetentionPolicy(keepPinnedDays: 1).removals(of: [Self.version(1, age: 500)], at: Self.now).isEmpty)
    }

    @Test("a version resolved, or created, within the days stays: nobody has had the chance to use a new one")
    func resolvedOrYoung() {
        let versions = [
            Self.version(1, age: 90, resolved: 3), Self.version(2, age: 80, resolved: 40), Self.version(3, age: 2),
            Self.version(4, age: 1),
        ]
        let removed = RetentionPolicy(keepResolvedDays: 30).removals(of: versions, at: Self.now)
        #expect(removed.map(\.version) == [2])
    }

    @Test("a version pinned by digest within the days stays, whatever else says")
    func pinned() {
        let versions = [Self.version(1, age: 90, pinned: 5), Self.version(2, age: 80), Self.version(3, age: 70)]
        let removed = RetentionPolicy(keepNewest: 1, keepPinnedDays: 7).removals(of: versions, at: Self.now)
        #expect(removed.map(\.version) == [2])
    }

    @Test("a policy without rules removes nothing; out-of-range rules are refused")
    func emptyAndInvalid() throws {
        #expect(RetentionPolicy().removals(of: [Self.version(1, age: 900), Self.version(2, age: 1)], at: Self.now).isEmpty)
        for policy in [RetentionPolicy(keepNewest: 0), RetentionPolicy(keepResolvedDays: 4000), RetentionPolicy(keepPinnedDays: -1)] {
            #expect(throws: NameError.self) { try policy.validate() }
        }
        try RetentionPolicy(keepNewest: 1000, keepResolvedDays: 3650, keepPinnedDays: 1).validate()
    }
}
