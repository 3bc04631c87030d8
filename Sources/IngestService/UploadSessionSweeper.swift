import BlobStore
import Foundation
import Logging
import ReadModel
import ServiceLifecycle

/// Ends upload sessions nobody has sent a chunk to for their lifetime,
/// removing their bytes: every ingest replica runs one, once a minute; a
/// session being written (claimed) is left alone.
struct UploadSessionSweeper: Service {
    let sessions: any UploadSessionStore
    let blobs: FileBlobStore
    let lifetime: Duration
    var interval: Duration = .seconds(60)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Removes every session untouched for ``lifetime``; returns how many.
    @discardableResult
    func sweep(now: Date = Date()) async -> Int {
        let before = now.addingTimeInterval(-Double(lifetime / .milliseconds(1)) / 1000)
        var removed = 0
        do {
            for id in try await sessions.untouched(since: before, limit: 100) {
                let ended: Bool? = try await sessions.withClaim(on: id) {
                    guard let session = try await sessions.session(id), session.updatedAt < before else { return false }
                    try await UploadSessionController.discard(session, sessions: sessions, blobs: blobs)
                    return true
                }
                if ended == true { removed += 1 }
            }
        } catch {
            logger.warning("could not sweep expired upload sessions", metadata: ["error": "\(error)"])
        }
        if removed > 0 { logger.info("expired upload sessions removed", metadata: ["count": "\(removed)"]) }
        return removed
    }
}
