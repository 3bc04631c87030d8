import Foundation
import Testing
@testable import RegistryDomain

@Suite("Event ids are UUIDv7")
struct EventIDTests {
    @Test("version and variant bits are set")
    func versionBits() {
        let bytes = EventID.make().uuid
        #expect(bytes.6 >> 4 == 7)
        #expect(bytes.8 >> 6 == 0b10)
    }

    @Test("ids sort by creation time")
    func timeOrdered() {
        var random = SystemRandomNumberGenerator()
        let earlier = EventID.make(milliseconds: 1_700_000_000_000, using: &random)
        let later = EventID.make(milliseconds: 1_700_000_000_001, using: &random)
        #expect(earlier.uuidString < later.uuidString)
    }

    @Test("ids do not repeat")
    func unique() {
        let ids = Set((0..<10_000).map { _ in EventID.make() })
        #expect(ids.count == 10_000)
    }
}
