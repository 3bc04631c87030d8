import Foundation
import JWTKit

/// The identity provider's JSON Web Key Set, downloaded when first needed,
/// kept for ``Refresh/maximumAge`` and downloaded again then, or sooner
/// when a token names a key (`kid`) the set lacks (the provider rotated
/// its keys), but never more often than ``Refresh/minimumInterval``, so
/// tokens with made-up key ids cannot make the replica hammer the provider.
/// Should a download fail, the keys loaded before stay in use.
actor JWKSKeys {
    /// Downloads the bytes at a URL.
    typealias Download = @Sendable (URL) async throws -> [UInt8]

    /// How often the set is downloaded again.
    struct Refresh: Sendable {
        var maximumAge: Duration = .seconds(300)
        var minimumInterval: Duration = .seconds(30)
    }

    private let url: URL
    private let download: Download
    private let refresh: Refresh
    /// A downloaded set: its keys and their ids.
    private struct KeySet: Sendable {
        let keys: JWTKeyCollection
        let ids: Set<String>
    }

    private var loaded: (set: KeySet, at: ContinuousClock.Instant)?
    private var lastAttempt: ContinuousClock.Instant?
    private var inFlight: Task<KeySet, any Error>?

    init(url: URL, refresh: Refresh, download: @escaping Download) {
        self.url = url
        self.refresh = refresh
        self.download = download
    }

    /// The claims of `token`, verified with the key its `kid` names; a
    /// `kid` the set lacks is refused (JWTKit would try its default key).
    func verify<Payload: JWTPayload>(_ token: String, as payload: Payload.Type) async throws -> Payload {
        var set = try await current()
        if let kid = Self.keyID(of: token), !set.ids.contains(kid) {
            guard let renewed = try await renewedAfterUnknownKey(), renewed.ids.contains(kid) else {
                throw JWTError.unknownKID(JWKIdentifier(string: kid))
            }
            set = renewed
        }
        return try await set.keys.verify(token, as: Payload.self)
    }

    /// The `kid` in a token's header, if it has one.
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        struct Header: Decodable { let kid: String? }
        return Data(base64Encoded: base64).flatMap { try? JSONDecoder().decode(Header.self, from: $0) }?.kid
    }

    private func current() async throws -> KeySet {
        if let loaded, loaded.at.duration(to: .now) < refresh.maximumAge { return loaded.set }
        return try await load()
    }

    /// A newer set, unless one was asked for within the minimum interval.
    private func renewedAfterUnknownKey() async throws -> KeySet? {
        if let lastAttempt, lastAttempt.duration(to: .now) < refresh.minimumInterval { return nil }
        return try await load()
    }

    /// Downloads the set (one download for any number of waiting requests);
    /// on failure, the set loaded before, if any.
    private func load() async throws -> KeySet {
        let task: Task<KeySet, any Error>
        if let inFlight {
            task = inFlight
        } else {
            let (url, download) = (self.url, self.download)
            task = Task { try await Self.keys(from: try await download(url), url: url) }
            inFlight = task
            lastAttempt = .now
        }
        // Only the download this call started or joined is cleared: a waiter
        // of an older one must not forget a newer download in flight.
        defer { if inFlight == task { inFlight = nil } }
        do {
            let set = try await task.value
            loaded = (set, .now)
            return set
        } catch {
            if let loaded { return loaded.set }
            throw TokenKeysUnavailable(reason: "cannot load the token keys from \(url): \(error)")
        }
    }

    private static func keys(from bytes: [UInt8], url: URL) async throws -> KeySet {
        let set = try JSONDecoder().decode(JWKS.self, from: Data(bytes))
        guard !set.keys.isEmpty else { throw TokenKeysUnavailable(reason: "\(url) lists no keys") }
        return KeySet(
            keys: try await JWTKeyCollection().add(jwks: set), ids: Set(set.keys.compactMap { $0.keyIdentifier?.string }))
    }
}
