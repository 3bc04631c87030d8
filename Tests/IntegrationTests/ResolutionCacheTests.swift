import Foundation
import HummingbirdTesting
import ProjectorService
import RegistryHTTP
import RegistryTesting
import Testing

/// Each projector replica caches resolutions; a change applied by any replica
/// reaches every replica's cache through PostgreSQL notifications.
@Suite("Resolution cache across replicas")
struct ResolutionCacheIntegrationTests {
    @Test("a replica's remembered answer gives way to a new version another replica applied")
    func followsOtherReplica() async throws {
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let services = try await RegistryServices.fresh()
        let lookup = "/v1/resolve?driver=qemu&image=cached&user=alice"
        /// Uploads the bytes of `pattern`, then registers them as the next version of `cached`.
        @Sendable func register(_ pattern: UInt8, with ingest: any TestClientProtocol) async throws -> String {
            let held = try await HeldImages.upload(pattern, to: ingest, token: alice).image
            let answer = try await ingest.call(.post, "/v1/images", token: alice, json: held.registration(name: "cached"))
            return try #require(answer.string("event", "position"), "\(answer.status) \(answer.body)")
        }
        try await services.run { ingest, first in
            let secondApp = try await buildProjectorApplication(settings: services.settings, logger: TestEnvironment.logger)
            try await secondApp.test(.live) { second in
                let v1 = try await register(0x51, with: ingest)
                #expect(try await first.call(.get, "\(lookup)&after=\(v1)", token: alice)["version"] as? Int == 1)
                // Asked twice without a position: the second answer may come from the cache.
                for _ in 0..<2 {
                    #expect(try await second.call(.get, lookup, token: alice)["version"] as? Int == 1)
                }

                let v2 = try await register(0x52, with: ingest)
                #expect(try await first.call(.get, "\(lookup)&after=\(v2)", token: alice)["version"] as? Int == 2)
                try await TestEnvironment.eventually(timeout: .seconds(5), "the other replica answers version 2") {
                    try await second.call(.get, lookup, token: alice)["version"] as? Int == 2
                }
            }
        }
    }
}
