import Foundation
import HummingbirdTesting
@testable import IngestService
import RegistryDomain
import RegistryTesting
import Testing

/// Abandoned upload sessions expire: the sweeper removes a session nobody
/// wrote to for its lifetime, with its bytes, but leaves
/// one that a request is writing, and nothing within the lifetime.
@Suite struct UploadSessionSweeperTests {
    @Test func abandonedSessionsGoWithTheirBytes() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, _ in
            for name in ["first", "busy", "second"] {
                let id = try #require(try await UploadSessionRouteTests.open(ingest, alice, #"{"name": "\#(name)"}"#).string("id"))
                _ = try await UploadSessionRouteTests.patch(ingest, id, alice, Fixture.small.bytes.prefix(512), from: 0)
            }
        }
        #expect(try registry.storedFiles().filter { $0.hasPrefix("uploads/") }.count == 3)
        let busy = try #require(registry.uploadSessions.all.first { $0.scope.fields.3 == "busy" }?.id)
        #expect(registry.uploadSessions.hold(busy))
        let sweeper = UploadSessionSweeper(
            sessions: registry.uploadSessions, blobs: registry.blobs, lifetime: .seconds(3600), logger: FakeRegistry.logger)
        // An hour on, every session is untouched for its lifetime; the busy one is being written.
        #expect(await sweeper.sweep(now: Date().addingTimeInterval(3601)) == 2)
        #expect(registry.uploadSessions.all.map(\.id) == [busy])
        #expect(try registry.storedFiles().filter { $0.hasPrefix("uploads/") } == ["uploads/\(busy.uuidString.lowercased()).part"])
        // Within the lifetime, nothing goes.
        #expect(await sweeper.sweep(now: Date()) == 0)
    }
}
