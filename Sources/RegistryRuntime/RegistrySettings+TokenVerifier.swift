import AsyncHTTPClient
import Foundation
import NIOCore
import RegistryAuth

extension RegistrySettings {
    /// The verifier of bearer tokens these settings describe; a key set is
    /// downloaded over HTTPS (``downloadKeySet(_:)``).
    public func tokenVerifier() async throws -> TokenVerifier {
        try await TokenVerifier(keys: tokenKeys, requirements: tokenRequirements, download: Self.downloadKeySet)
    }

    /// The largest key set accepted: a few keys take a few kilobytes.
    static let maximumKeySetBytes = 1 << 20

    /// The body of `url`, which must answer 200 within 10 s with at most
    /// ``maximumKeySetBytes``.
    @Sendable static func downloadKeySet(_ url: URL) async throws -> [UInt8] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(10))
        guard response.status == .ok else {
            throw KeySetDownloadFailed(reason: "\(url) answered \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: maximumKeySetBytes)
        return Array(buffer: body)
    }
}

/// The identity provider's key set could not be downloaded.
struct KeySetDownloadFailed: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
