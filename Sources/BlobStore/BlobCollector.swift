import Foundation
import NIOFileSystem
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
    private let fileSystem = FileSystem.shared

    public init(store: FileBlobStore) {
        self.store = store
    }

    private var asideDirectory: FilePath { store.root.appending("gc") }

    /// Lists the store, asks `needs` (given every digest found) who needs
    /// what, and removes what nobody needs and is older than `grace`; with
    /// `dryRun`, only says what would go.
    public func run(
        grace: Duration, dryRun: Bool, needs: ([SHA256Digest]) async throws -> Needs
    ) async throws -> Report {
        let cutoff = Date().addingTimeInterval(-grace.timeInterval)
        // Set-aside blobs first: a blob set aside again below must not meet an old copy.
        var files: [(path: FilePath, file: BlobCollectionRules.StoredFile, size: Int64, modified: Date)] = []
        for directory in ["gc", "sha256", "imports", "uploads", "tmp"] {
            for (path, size, modified) in try await regularFiles(under: store.root.appending(directory)) {
                let relative = String(path.string.dropFirst(store.root.string.count + 1))
                guard let file = BlobCollectionRules.classify(relativePath: relative) else { continue }
                files.append((path, file, size, modified))
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
            case (.keep, _):
                continue
            case (.restore, .setAside(let digest)):
                if !dryRun { try await putBack(entry.path, digest: digest) }
                report.restored += 1
            case (.remove(let reason), .blob(let digest)):
                let removed = try await dryRun ? true : removeBlob(at: entry.path, digest: digest, cutoff: cutoff)
                if removed {
                    report.removals.append(Removal(path: entry.path.string, size: entry.size, reason: reason))
                } else {
                    report.restored += 1
                }
            case (.remove(let reason), _):
                if !dryRun { try await removeFile(entry.path) }
                report.removals.append(Removal(path: entry.path.string, size: entry.size, reason: reason))
            case (.restore, _):
                continue  // only set-aside blobs are restored
            }
        }
        return report
    }

    /// Sets the blob aside, reads its time again and unlinks it unless an
    /// upload or a registration refreshed it meanwhile (then it goes back).
    /// Returns whether it was removed.
    private func removeBlob(at path: FilePath, digest: SHA256Digest, cutoff: Date) async throws -> Bool {
        try await fileSystem.createDirectory(at: asideDirectory, withIntermediateDirectories: true, permissions: nil)
        let aside = asideDirectory.appending(digest.hex)
        do {
            try await fileSystem.moveItem(at: path, to: aside)
        } catch let error as FileSystemError where error.code == .notFound {
            return false  // another run removed it
        }
        guard let info = try await fileSystem.info(forFileAt: aside, infoAboutSymbolicLink: true),
            Self.modified(info) < cutoff
        else {
            try await putBack(aside, digest: digest)
            return false
        }
        try await removeFile(aside)
        return true
    }

    /// Moves a set-aside blob back to its content address, unless an upload
    /// stored the same bytes there meanwhile.
    private func putBack(_ aside: FilePath, digest: SHA256Digest) async throws {
        let destination = store.path(for: digest)
        try await fileSystem.createDirectory(
            at: destination.removingLastComponent(), withIntermediateDirectories: true, permissions: nil)
        do {
            try await fileSystem.moveItem(at: aside, to: destination)
        } catch let error as FileSystemError where error.code == .fileAlreadyExists {
            try await removeFile(aside)
        }
    }

    private func removeFile(_ path: FilePath) async throws {
        _ = try await fileSystem.removeItem(at: path, strategy: .platformDefault, recursively: false)
    }

    private func regularFiles(under directory: FilePath) async throws -> [(FilePath, Int64, Date)] {
        guard try await fileSystem.info(forFileAt: directory) != nil else { return [] }
        let paths = try await fileSystem.withDirectoryHandle(atPath: directory) { handle in
            var found: [FilePath] = []
            for try await batch in handle.listContents(recursive: true).batched() {
                for entry in batch where entry.type == .regular { found.append(entry.path) }
            }
            return found
        }
        var files: [(FilePath, Int64, Date)] = []
        files.reserveCapacity(paths.count)
        for path in paths {
            // A file gone since the listing (an upload renamed it) is skipped.
            guard let info = try await fileSystem.info(forFileAt: path, infoAboutSymbolicLink: true),
                info.type == .regular
            else { continue }
            files.append((path, info.size, Self.modified(info)))
        }
        return files
    }

    private static func modified(_ info: FileInfo) -> Date {
        Date(
            timeIntervalSince1970: TimeInterval(info.lastDataModificationTime.seconds)
                + TimeInterval(info.lastDataModificationTime.nanoseconds) / 1e9)
    }
}
