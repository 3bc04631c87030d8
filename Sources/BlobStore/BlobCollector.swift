import Foundation
import RegistryDomain

/// Garbage collection of the blob store: removes what
/// ``BlobCollectionRules`` finds removable, without stopping uploads or
/// downloads.
///
/// A blob goes in two steps: it is renamed to `gc/<digest>`, its time is
/// read again, and only then is it unlinked. An upload or a registration
/// that needs a blob already stored first refreshes its time and then
/// checks that it is still in place (``FileBlobStore/retain(_:)``), so
/// whichever of the two comes second sees the other: the collector puts a
/// refreshed blob back, the upload stores its own copy of a blob that went.
/// A crash leaves at most blobs in `gc/`, which the next run puts back or
/// removes by the same rules; nothing else is ever half done. A download
/// already reading a removed blob reads on (the open file outlives its name).
public struct BlobCollector: Sendable {
    /// What one run removed (or, in a dry run, would remove).
    public struct Removal: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var size: Int64
        public var reason: String

        public var description: String { "\(path) \(size) bytes: \(reason)" }
    }

    /// The outcome of one run.
    public struct Report: Sendable, Equatable {
        public var examined = 0
        public var removals: [Removal] = []
        /// Blobs set aside that were needed after all, and put back.
        public var restored = 0
        public var bytesFreed: Int64 { removals.reduce(0) { $0 + $1.size } }
    }

    /// Who needs what, read after the files are listed.
    public struct Needs: Sendable {
        public var liveDigests: Set<SHA256Digest>
        public var openSessions: Set<UUID>
        public var queuedImports: Set<UUID>

        public init(liveDigests: Set<SHA256Digest>, openSessions: Set<UUID>, queuedImports: Set<UUID>) {
            self.liveDigests = liveDigests
            self.openSessions = openSessions
            self.queuedImports = queuedImports
        }
    }

    public let store: FileBlobStore

    public init(store: FileBlobStore) {
        self.store = store
    }

    private var root: String { store.root.string }

    /// Lists the store, asks `needs` (given every digest found) who needs
    /// what, and removes what nobody needs and is older than `grace`; with
    /// `dryRun`, only says what would go.
    public func run(
        grace: Duration, dryRun: Bool, needs: ([SHA256Digest]) async throws -> Needs
    ) async throws -> Report {
        let cutoff = Date().addingTimeInterval(-grace.timeInterval)
        // Set-aside blobs first: a blob set aside again below must not meet an old copy.
        var files: [(path: String, file: BlobCollectionRules.StoredFile, size: Int64, modified: Date)] = []
        for directory in ["gc", "sha256", "imports", "uploads", "tmp"] {
            for (relative, size, modified) in try await regularFiles(under: directory) {
                guard let file = BlobCollectionRules.classify(relativePath: relative) else { continue }
                files.append((root + "/" + relative, file, size, modified))
            }
        }
        let digests = files.compactMap { entry -> SHA256Digest? in
            switch entry.file {
            case .blob(let digest), .setAside(let digest): digest
            default: nil
            }
        }
        let known = try await needs(digests)
        let facts = BlobCollectionRules.Facts(
            liveDigests: known.liveDigests, openSessions: known.openSessions, queuedImports: known.queuedImports,
            graceCutoff: cutoff)
        var report = Report()
        for entry in files {
            report.examined += 1
            let verdict = BlobCollectionRules.verdict(on: entry.file, modified: entry.modified, facts: facts)
            switch (verdict, entry.file) {
            case (.keep, _), (.restore, _):
                guard case .setAside(let digest) = entry.file, verdict == .restore else { continue }
                if !dryRun { try await StoreFiles.run { try StoreFiles.putBack(entry.path, to: blobPath(digest)) } }
                report.restored += 1
            case (.remove(let reason), .blob(let digest)):
                let aside = "\(root)/gc/\(digest.hex)"
                let removed = try await dryRun
                    ? true : StoreFiles.run { try StoreFiles.remove(entry.path, settingAsideAt: aside, olderThan: cutoff) }
                if removed {
                    report.removals.append(Removal(path: entry.path, size: entry.size, reason: reason))
                } else {
                    report.restored += 1
                }
            case (.remove(let reason), _):
                if !dryRun { try await StoreFiles.run { try StoreFiles.unlink(entry.path) } }
                report.removals.append(Removal(path: entry.path, size: entry.size, reason: reason))
            }
        }
        return report
    }

    private func blobPath(_ digest: SHA256Digest) -> String {
        "\(root)/sha256/\(digest.hex.prefix(2))/\(digest.hex)"
    }

    /// The regular files below `directory` (relative to the root), two
    /// levels deep at most (the layout of `sha256/<ab>/<hex>`), with their
    /// size and time.
    private func regularFiles(under directory: String) async throws -> [(String, Int64, Date)] {
        var files: [(String, Int64, Date)] = []
        for entry in try await StoreFiles.entries(of: root + "/" + directory) {
            if entry.isRegular {
                files.append((directory + "/" + entry.name, entry.size, entry.modified))
            } else if entry.isDirectory {
                let subdirectory = directory + "/" + entry.name
                for inner in try await StoreFiles.entries(of: root + "/" + subdirectory) where inner.isRegular {
                    files.append((subdirectory + "/" + inner.name, inner.size, inner.modified))
                }
            }
        }
        return files
    }
}
