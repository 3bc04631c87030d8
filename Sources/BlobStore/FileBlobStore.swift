import Crypto
import Foundation
import NIOCore
import NIOFileSystem
import RegistryDomain

/// Content-addressed image storage on a (shared) file system.
///
/// An upload streams into `tmp/` while it is hashed and its QCOW2 header is
/// checked, is flushed to disk, then renamed to `sha256/<ab>/<digest>`: a
/// file at its final path is always complete, and the same bytes are stored
/// once. A rejected, failed or abandoned upload leaves no file behind. All
/// file I/O runs on NIO's file-system thread pool, never on the concurrency
/// pool.
public struct FileBlobStore: Sendable {
    public let root: FilePath
    public let maximumSize: Int64
    public let validator: QCOW2Validator
    private let fileSystem = FileSystem.shared

    /// - Parameter root: an absolute directory; created when missing.
    public init(root: String, maximumSize: Int64, validator: QCOW2Validator) {
        self.root = FilePath(URL(fileURLWithPath: root).standardizedFileURL.path)
        self.maximumSize = maximumSize
        self.validator = validator
    }

    var temporaryDirectory: FilePath { root.appending("tmp") }

    /// Where the bytes with `digest` live.
    public func path(for digest: RegistryDomain.SHA256Digest) -> FilePath {
        root.appending("sha256").appending(String(digest.hex.prefix(2))).appending(digest.hex)
    }

    /// Streams `body` into the store, validating it as a QCOW2 v3 image.
    /// Throws ``UploadRejection`` for bad input; any error removes the partial file.
    public func store<Body: AsyncSequence>(_ body: Body) async throws -> StoredBlob where Body.Element == ByteBuffer {
        try await fileSystem.createDirectory(at: temporaryDirectory, withIntermediateDirectories: true, permissions: nil)
        let temporary = temporaryDirectory.appending("\(UUID().uuidString).part")
        let handle = try await fileSystem.openFile(
            forWritingAt: temporary, options: .newFile(replaceExisting: false))
        let digest: RegistryDomain.SHA256Digest
        let size: Int64
        do {
            (digest, size) = try await write(body, to: handle)
            try await handle.synchronize()
            try await handle.close()
        } catch {
            try? await handle.close()
            _ = try? await fileSystem.removeItem(at: temporary, strategy: .platformDefault, recursively: false)
            throw error
        }
        let newlyStored = try await moveIntoPlace(temporary, digest: digest)
        let finalPath = path(for: digest)
        return StoredBlob(
            digest: digest, size: size, location: try ImageLocation(URL(fileURLWithPath: finalPath.string).absoluteString),
            newlyStored: newlyStored)
    }

    /// Copies the body to the file, hashing it and checking the QCOW2 header
    /// as soon as its first bytes are in.
    private func write<Body: AsyncSequence>(_ body: Body, to handle: WriteFileHandle) async throws
        -> (RegistryDomain.SHA256Digest, Int64) where Body.Element == ByteBuffer
    {
        var writer = handle.bufferedWriter(capacity: .mebibytes(1))
        var hasher = SHA256()
        var size: Int64 = 0
        var prefix: [UInt8] = []
        var header: QCOW2Header?
        for try await chunk in body {
            size += Int64(chunk.readableBytes)
            guard size <= maximumSize else { throw UploadRejection.tooLarge(limit: maximumSize) }
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            if header == nil {
                prefix += chunk.readableBytesView.prefix(QCOW2Validator.prefixLength - prefix.count)
                if prefix.count == QCOW2Validator.prefixLength {
                    header = try checkHeader(prefix)
                    prefix = []
                }
            }
            try await writer.write(contentsOf: chunk)
        }
        let checked = try header ?? checkHeader(prefix)
        do {
            try validator.validateLength(checked, fileSize: UInt64(size))
        } catch {
            throw UploadRejection.invalidImage(error)
        }
        try await writer.flush()
        let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return (try RegistryDomain.SHA256Digest(hex: hex), size)
    }

    private func checkHeader(_ prefix: [UInt8]) throws(UploadRejection) -> QCOW2Header {
        do {
            return try validator.validateHeader(prefix)
        } catch {
            throw UploadRejection.invalidImage(error)
        }
    }

    /// Renames the finished file to its content address; returns false (and
    /// drops the copy) when those bytes were already stored.
    private func moveIntoPlace(_ temporary: FilePath, digest: RegistryDomain.SHA256Digest) async throws -> Bool {
        let destination = path(for: digest)
        let directory = destination.removingLastComponent()
        try await fileSystem.createDirectory(at: directory, withIntermediateDirectories: true, permissions: nil)
        if try await fileSystem.info(forFileAt: destination) == nil {
            do {
                try await fileSystem.moveItem(at: temporary, to: destination)
                try await synchronizeDirectory(directory)
                return true
            } catch let error as FileSystemError where error.code == .fileAlreadyExists {
                // Another upload of the same bytes finished first.
            }
        }
        _ = try await fileSystem.removeItem(at: temporary, strategy: .platformDefault, recursively: false)
        return false
    }

    /// Makes the rename durable: the directory entry reaches the disk too.
    private func synchronizeDirectory(_ directory: FilePath) async throws {
        let handle = try await fileSystem.openFile(forReadingAt: directory, options: .init())
        try? await handle.synchronize()
        try await handle.close()
    }

    /// Removes a blob this upload stored, when its event could not be recorded.
    public func remove(_ blob: StoredBlob) async {
        guard blob.newlyStored else { return }
        _ = try? await fileSystem.removeItem(at: path(for: blob.digest), strategy: .platformDefault, recursively: false)
    }
}
