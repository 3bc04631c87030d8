import CBlobFile
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that an upload (or an import's download) is written into, block by block, with every
/// system call on NIO's blocking thread pool, never on the concurrency pool.
///
/// Where the file system allows it, writes bypass the page cache (Linux's
/// `O_DIRECT`): an image is written once and read back only by the
/// whole-file check, so copying it through the cache would cost a pass over
/// every byte and leave `fsync` the whole file to write at the end. Where
/// `O_DIRECT` is refused, writes are buffered and each block's writeback is
/// started as soon as it is written.
///
/// One operation runs at a time (``BlobFileWriter`` keeps at most one write
/// in flight, then synchronizes and closes), which is what makes the
/// mutable state below safe to share with the thread pool.
final class BlobFile: @unchecked Sendable {
    /// Offsets, lengths and buffer addresses of direct writes are multiples of this.
    static let alignment = 4096

    let path: String
    private let descriptor: Int32
    private var direct: Bool
    private var closed = false

    /// Whether writes still bypass the page cache.
    var writesDirectly: Bool { direct }

    private init(path: String, descriptor: Int32, direct: Bool) {
        self.path = path
        self.descriptor = descriptor
        self.direct = direct
    }

    /// Creates the file, which must not exist yet; `bypassingCache: false`
    /// asks for buffered writes from the start.
    static func create(at path: String, bypassingCache: Bool = true) async throws -> BlobFile {
        try await open(at: path, bypassingCache: bypassingCache, mustBeNew: true)
    }

    /// Opens the file to go on writing it, cut to its first `length` bytes
    /// (a multiple of ``alignment`` unless `bypassingCache` is false), or
    /// creates it when missing.
    static func reopen(at path: String, keeping length: Int64, bypassingCache: Bool = true) async throws -> BlobFile {
        let file = try await open(at: path, bypassingCache: bypassingCache, mustBeNew: false)
        try await file.truncate(to: length)
        return file
    }

    private static func open(at path: String, bypassingCache: Bool, mustBeNew: Bool) async throws -> BlobFile {
        try await NIOThreadPool.singleton.runIfActive {
            let exclusive: Int32 = mustBeNew ? 1 : 0
            var descriptor = file_open_for_writing(path, bypassingCache ? 1 : 0, exclusive)
            var direct = bypassingCache
            if descriptor == -1, errno == EINVAL, direct {
                descriptor = file_open_for_writing(path, 0, exclusive)
                direct = false
            }
            guard descriptor >= 0 else { throw BlobFileError(operation: "open", path: path, code: errno) }
            return BlobFile(path: path, descriptor: descriptor, direct: direct)
        }
    }

    /// Writes the block's bytes at `offset`, a multiple of ``alignment``;
    /// only the file's last block may have a length that is not.
    func write(_ block: AlignedBlock, at offset: Int64) async throws {
        try await NIOThreadPool.singleton.runIfActive { try self.writeBlocking(block, at: offset) }
    }

    /// Cuts the file to its first `length` bytes.
    func truncate(to length: Int64) async throws {
        try await NIOThreadPool.singleton.runIfActive {
            guard ftruncate(self.descriptor, off_t(length)) == 0 else {
                throw BlobFileError(operation: "ftruncate", path: self.path, code: errno)
            }
        }
    }

    /// Waits until every byte written is on the disk.
    func synchronize() async throws {
        try await NIOThreadPool.singleton.runIfActive {
            guard fsync(self.descriptor) == 0 else {
                throw BlobFileError(operation: "fsync", path: self.path, code: errno)
            }
        }
    }

    /// Closes the file; closing it again does nothing.
    func close() async throws {
        try await NIOThreadPool.singleton.runIfActive {
            guard !self.closed else { return }
            self.closed = true
            #if canImport(Glibc)
            let status = Glibc.close(self.descriptor)
            #else
            let status = Darwin.close(self.descriptor)
            #endif
            guard status == 0 else { throw BlobFileError(operation: "close", path: self.path, code: errno) }
        }
    }

    private func writeBlocking(_ block: AlignedBlock, at offset: Int64) throws {
        let bytes = UnsafeRawBufferPointer(start: block.pointer, count: block.count)
        let aligned = bytes.count - bytes.count % Self.alignment
        if direct, aligned < bytes.count {
            // The file's last bytes: the aligned part directly, the rest buffered.
            try writeAll(UnsafeRawBufferPointer(rebasing: bytes[..<aligned]), at: offset)
            try stopDirect()
            try writeAll(UnsafeRawBufferPointer(rebasing: bytes[aligned...]), at: offset + Int64(aligned))
        } else {
            try writeAll(bytes, at: offset)
        }
        if !direct { _ = file_start_writeback(descriptor, offset, Int64(bytes.count)) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var written = 0
        while written < bytes.count {
            let result = pwrite(
                descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset + Int64(written)))
            if result >= 0 {
                written += result
            } else if errno == EINTR {
                continue
            } else if errno == EINVAL, direct {
                // A file system that took O_DIRECT at open but refuses a
                // write (or a short write left the rest unaligned): buffer.
                try stopDirect()
            } else {
                throw BlobFileError(operation: "write", path: path, code: errno)
            }
        }
    }

    private func stopDirect() throws {
        guard direct else { return }
        guard file_stop_direct(descriptor) == 0 else {
            throw BlobFileError(operation: "fcntl", path: path, code: errno)
        }
        direct = false
    }
}

/// A buffer for one block of an upload, aligned for direct writes. Owned
/// by one side at a time: filled by ``BlobFileWriter``, then handed to
/// ``BlobFile/write(_:at:)`` until that returns.
final class AlignedBlock: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let capacity: Int
    /// How many bytes of the block are filled.
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        self.pointer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: BlobFile.alignment)
    }

    deinit { pointer.deallocate() }

    var isFull: Bool { count == capacity }

    /// Copies as many of `source`'s bytes as fit; returns how many it took.
    func append(_ source: UnsafeRawBufferPointer) -> Int {
        let taken = min(source.count, capacity - count)
        if taken > 0 { (pointer + count).copyMemory(from: source.baseAddress!, byteCount: taken) }
        count += taken
        return taken
    }
}

/// A system call on an upload's file failed.
struct BlobFileError: Error, CustomStringConvertible {
    let operation: String
    let path: String
    let code: Int32

    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
