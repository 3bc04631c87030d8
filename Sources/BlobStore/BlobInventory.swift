import Foundation
import NIOFileSystem
import RegistryDomain

/// What the blob store holds that no image names: blobs whose upload never
/// became an image (its event failed, or the client gave up) and `.part`
/// files a crash left behind. Only garbage collection removes blobs, never a
/// request handler, and only once they are older than a grace period: an
/// image whose event is acknowledged but not yet projected names its blob
/// although the read model does not show it yet.
public struct BlobInventory: Sendable {
    /// One file the store holds that no image names.
    public struct Orphan: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        /// The digest of a stored blob; `nil` for a leftover `.part` file.
        public var digest: SHA256Digest?
        public var size: Int64
        public var modified: Date

        public var description: String {
            let age = Int(Date().timeIntervalSince(modified) / 3600)
            let what = digest.map { "blob sha256:\($0.hex)" } ?? "unfinished upload"
            return "\(what) \(size) bytes, \(age) h old: \(path)"
        }
    }

    public let store: FileBlobStore
    private let fileSystem = FileSystem.shared

    public init(store: FileBlobStore) {
        self.store = store
    }

    /// Files older than `grace` that no image names; `referenced` says which
    /// of a list of digests some image (live or deleted) names.
    public func orphans(
        olderThan grace: Duration, referenced: ([SHA256Digest]) async throws -> Set<SHA256Digest>
    ) async throws -> [Orphan] {
        let cutoff = Date().addingTimeInterval(-grace.timeInterval)
        var candidates: [Orphan] = []
        for path in try await files(under: store.root.appending("sha256")) + files(under: store.temporaryDirectory) {
            guard let info = try await fileSystem.info(forFileAt: path, infoAboutSymbolicLink: true),
                info.type == .regular
            else { continue }
            let modified = Date(
                timeIntervalSince1970: TimeInterval(info.lastDataModificationTime.seconds)
                    + TimeInterval(info.lastDataModificationTime.nanoseconds) / 1e9)
            guard modified < cutoff else { continue }
            let digest = path.lastComponent.flatMap { try? SHA256Digest(hex: $0.string) }
            guard digest != nil || path.string.hasSuffix(".part") else { continue }
            candidates.append(Orphan(path: path.string, digest: digest, size: info.size, modified: modified))
        }
        let named = try await referenced(candidates.compactMap(\.digest))
        return candidates.filter { $0.digest.map { !named.contains($0) } ?? true }
    }

    /// Removes an orphan ``orphans(olderThan:referenced:)`` found.
    public func remove(_ orphan: Orphan) async throws {
        _ = try await fileSystem.removeItem(at: FilePath(orphan.path), strategy: .platformDefault, recursively: false)
    }

    private func files(under directory: FilePath) async throws -> [FilePath] {
        guard try await fileSystem.info(forFileAt: directory) != nil else { return [] }
        return try await fileSystem.withDirectoryHandle(atPath: directory) { handle in
            var found: [FilePath] = []
            for try await entry in handle.listContents(recursive: true) where entry.type == .regular {
                found.append(entry.path)
            }
            return found
        }
    }
}
