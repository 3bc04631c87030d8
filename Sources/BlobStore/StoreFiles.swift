import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file operations of garbage collection, as plain POSIX calls: each
/// step runs as one job on NIO's blocking-I/O thread pool (``run(_:)``),
/// never on the concurrency pool, and a store of hundreds of thousands of
/// blobs is walked without a thread hop or a path object per file.
enum StoreFiles {
    struct Entry: Sendable {
        var name: String
        var isDirectory: Bool
        var isRegular: Bool
        var size: Int64
        var modified: Date
    }

    /// Runs blocking `work` on NIO's thread pool.
    static func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// The entries of `directory` (not `.` and `..`); none when it does not exist.
    static func entries(of directory: String) async throws -> [Entry] {
        try await run { try entriesBlocking(of: directory) }
    }

    private static func entriesBlocking(of directory: String) throws -> [Entry] {
        guard let stream = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw failure("list", directory)
        }
        defer { closedir(stream) }
        let descriptor = dirfd(stream)
        var entries: [Entry] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != ".", name != ".." else { continue }
            var status = stat()
            // A file gone since readdir (an upload renamed it away) is skipped.
            guard fstatat(descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            let kind = status.st_mode & S_IFMT
            entries.append(Entry(
                name: name, isDirectory: kind == S_IFDIR, isRegular: kind == S_IFREG, size: Int64(status.st_size),
                modified: modified(status)))
        }
        return entries
    }

    /// Sets the file at `path` aside at `aside` (same file system), reads
    /// its time again, and unlinks it if it is still older than `cutoff`;
    /// otherwise puts it back. Returns whether it was removed.
    static func remove(_ path: String, settingAsideAt aside: String, olderThan cutoff: Date) throws -> Bool {
        try makeDirectory(parentOf: aside)
        guard rename(path, aside) == 0 else {
            if errno == ENOENT { return false }  // another run took it
            throw failure("set aside", path)
        }
        var status = stat()
        guard lstat(aside, &status) == 0 else { throw failure("read", aside) }
        guard modified(status) < cutoff else {
            try putBack(aside, to: path)
            return false
        }
        try unlink(aside)
        return true
    }

    /// Moves a set-aside file back to `destination`, unless the same bytes
    /// were stored there meanwhile (then the set-aside copy goes).
    static func putBack(_ aside: String, to destination: String) throws {
        try makeDirectory(parentOf: destination)
        // link(2) never replaces: it fails if the destination exists.
        if link(aside, destination) != 0, errno != EEXIST { throw failure("put back", aside) }
        try unlink(aside)
    }

    /// Removes `path`; a file already gone is no error.
    static func unlink(_ path: String) throws {
        #if canImport(Glibc)
            let result = Glibc.unlink(path)
        #else
            let result = Darwin.unlink(path)
        #endif
        if result != 0, errno != ENOENT { throw failure("remove", path) }
    }

    /// Creates the directory `path` is in, and its missing parents.
    private static func makeDirectory(parentOf path: String) throws {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        guard mkdir(directory, 0o755) != 0, errno != EEXIST else { return }
        guard errno == ENOENT else { throw failure("create", directory) }
        try makeDirectory(parentOf: directory)
        if mkdir(directory, 0o755) != 0, errno != EEXIST { throw failure("create", directory) }
    }

    private static func modified(_ status: stat) -> Date {
        Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec) + TimeInterval(status.st_mtim.tv_nsec) / 1e9)
    }

    private static func failure(_ action: String, _ path: String) -> StoreFileError {
        StoreFileError(description: "could not \(action) \(path): \(String(cString: strerror(errno)))")
    }
}

/// A file operation of garbage collection that failed, with the path and the system's reason.
struct StoreFileError: Error, CustomStringConvertible {
    let description: String
}
