import Foundation
@testable import ReadModel
import RegistryDomain
import Synchronization
import Testing

@Suite("Resolution cache")
struct ResolutionCacheTests {
    static let request = ResolutionRequest(user: try! Username("alice"), namespace: nil, image: "arch")
    static func resolution(version: Int) -> Resolution {
        Resolution(
            imageID: UUID(), name: "arch", namespace: nil, source: .custom, version: version,
            sha256: try! SHA256Digest(hex: String(repeating: "a", count: 64)), size: 1,
            location: try! ImageLocation("file:///var/lib/djinn/images/arch"), verified: true)
    }

    /// Counts loads and answers the version it is set to.
    final class Loader: Sendable {
        private let state = Mutex((loads: 0, version: 1))
        var loads: Int { state.withLock { $0.loads } }
        func setVersion(_ version: Int) { state.withLock { $0.version = version } }
        func load() -> Resolution? {
            ResolutionCacheTests.resolution(version: state.withLock { $0.loads += 1; return $0.version })
        }
    }

    @Test("off until the change listener runs: every lookup loads")
    func offWithoutListener() async {
        let cache = ResolutionCache()
        let loader = Loader()
        for _ in 0..<3 { _ = await cache.resolve(Self.request) { loader.load() } }
        #expect(loader.loads == 3)
    }

    @Test("listening: answers are remembered until a change, then loaded again")
    func remembersUntilChange() async {
        let cache = ResolutionCache()
        cache.setListening(true)
        let loader = Loader()
        #expect(await cache.resolve(Self.request) { loader.load() }?.version == 1)
        #expect(await cache.resolve(Self.request) { loader.load() }?.version == 1)
        #expect(loader.loads == 1)
        loader.setVersion(2)
        cache.invalidate()
        #expect(await cache.resolve(Self.request) { loader.load() }?.version == 2)
        #expect(loader.loads == 2)
    }

    @Test("not found is remembered too, and forgotten on a change")
    func remembersAbsence() async {
        let cache = ResolutionCache()
        cache.setListening(true)
        var loads = 0
        for _ in 0..<2 { _ = await cache.resolve(Self.request) { loads += 1; return nil } }
        #expect(loads == 1)
        cache.invalidate()
        _ = await cache.resolve(Self.request) { loads += 1; return nil }
        #expect(loads == 2)
    }

    @Test("an answer read before a change is not kept after it")
    func loadAcrossChangeIsNotStored() async {
        let cache = ResolutionCache()
        cache.setListening(true)
        let loader = Loader()
        _ = await cache.resolve(Self.request) {
            cache.invalidate()  // the read model changes while the lookup runs
            return loader.load()
        }
        loader.setVersion(2)
        #expect(await cache.resolve(Self.request) { loader.load() }?.version == 2)
        #expect(loader.loads == 2)
    }

    @Test("losing the listener turns the cache off and empties it")
    func listenerLost() async {
        let cache = ResolutionCache()
        cache.setListening(true)
        let loader = Loader()
        _ = await cache.resolve(Self.request) { loader.load() }
        cache.setListening(false)
        _ = await cache.resolve(Self.request) { loader.load() }
        cache.setListening(true)
        _ = await cache.resolve(Self.request) { loader.load() }
        #expect(loader.loads == 3)
    }
}
