import Foundation

/// What garbage collection of the blob store may remove, decided for one
/// file from facts read before the run: no I/O, so that the rules are
/// tested on their own and a dry run lists exactly what a real run removes.
///
/// A file is removed only when nothing needs it and it is older than the
/// grace period: an upload stores its blob before its event is recorded
/// and projected, and a registration names a blob before the read model
/// shows it, so a young blob may be needed by an image the read model does
/// not show yet. Files the collector does not recognise are never removed.
public enum BlobCollectionRules {
    /// A file of the blob store, by what its place and name say it is.
    public enum StoredFile: Sendable, Equatable {
        /// `sha256/<ab>/<hex>`: the bytes of every version with that digest.
        case blob(SHA256Digest)
        /// `gc/<hex>`: a blob an interrupted run had set aside.
        case setAside(SHA256Digest)
        /// `imports/<id>.part`: an import's download so far.
        case importPart(UUID)
        /// `uploads/<id>.part`: an upload session's bytes so far.
        case sessionPart(UUID)
        /// `tmp/<name>.part`: a single-request upload being written, or a crash's leftover.
        case unfinishedUpload
    }

    /// What the run knows about who needs what.
    public struct Facts: Sendable {
        /// Digests some live (not deleted) version names.
        public var liveDigests: Set<SHA256Digest>
        /// Upload sessions that still exist.
        public var openSessions: Set<UUID>
        /// Imports that have not ended.
        public var queuedImports: Set<UUID>
        /// Files modified at or after this are within the grace period.
        public var graceCutoff: Date

        public init(liveDigests: Set<SHA256Digest>, openSessions: Set<UUID>, queuedImports: Set<UUID>, graceCutoff: Date) {
            self.liveDigests = liveDigests
            self.openSessions = openSessions
            self.queuedImports = queuedImports
            self.graceCutoff = graceCutoff
        }
    }

    public enum Verdict: Sendable, Equatable {
        case keep
        /// Removable, and why.
        case remove(String)
        /// A blob set aside that is needed after all: put it back.
        case restore
    }

    /// The verdict on one file last modified at `modified`.
    public static func verdict(on file: StoredFile, modified: Date, facts: Facts) -> Verdict {
        let young = modified >= facts.graceCutoff
        switch file {
        case .blob(let digest):
            if facts.liveDigests.contains(digest) || young { return .keep }
            return .remove("no live version names sha256:\(digest.hex)")
        case .setAside(let digest):
            if facts.liveDigests.contains(digest) || young { return .restore }
            return .remove("no live version names sha256:\(digest.hex) (set aside by an interrupted run)")
        case .importPart(let id):
            if facts.queuedImports.contains(id) || young { return .keep }
            return .remove("import \(id.uuidString.lowercased()) has ended")
        case .sessionPart(let id):
            if facts.openSessions.contains(id) || young { return .keep }
            return .remove("upload session \(id.uuidString.lowercased()) has ended")
        case .unfinishedUpload:
            return young ? .keep : .remove("an upload that stopped being written")
        }
    }

    /// What the file at `relativePath` (from the store's root) is; `nil`
    /// for anything else, which is never removed.
    public static func classify(relativePath: String) -> StoredFile? {
        let parts = relativePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 3 where parts[0] == "sha256":
            guard let digest = try? SHA256Digest(hex: parts[2]), digest.hex == parts[2],
                parts[1] == String(parts[2].prefix(2))
            else { return nil }
            return .blob(digest)
        case 2 where parts[0] == "gc":
            guard let digest = try? SHA256Digest(hex: parts[1]), digest.hex == parts[1] else { return nil }
            return .setAside(digest)
        case 2 where parts[0] == "imports" || parts[0] == "uploads":
            guard parts[1].hasSuffix(".part"), let id = UUID(uuidString: String(parts[1].dropLast(5))) else { return nil }
            return parts[0] == "imports" ? .importPart(id) : .sessionPart(id)
        case 2 where parts[0] == "tmp":
            return parts[1].hasSuffix(".part") ? .unfinishedUpload : nil
        default:
            return nil
        }
    }
}
