import Foundation
import NIOCore
import NIOFileSystem
import RegistryDomain

/// Content-addressed image storage on a (shared) file system.
///
/// An upload streams into `tmp/` while it is hashed and its QCOW2 header is
/// checked (written by ``BlobFileWriter``, around the page cache where the
/// file system allows), is flushed to disk, checked whole by ``WholeImageCheck`` (QEMU's
/// own checker), then renamed to `sha256/<ab>/<digest>`: a file at its final
/// path is always complete and verified, and the same bytes are stored once.
/// A rejected, failed or abandoned upload leaves no file behind. A stored
/// blob is never removed here (imports keep their partial files in
/// `imports/` instead, to resume them: ``PartialBlob``): once its event may have been acknowledged an
/// image may point at it, so only garbage collection removes blobs
/// (``BlobCollector``). All file I/O runs on NIO's file-system thread pool,
/// never on the concurrency pool.
public struct FileBlobStore: Sendable {
    public let root: FilePath
    public let maximumSize: Int64
    public let validator: QCOW2Validator
    public let wholeImageCheck: any WholeImageCheck
    private let fileSystem = FileSystem.shared

    /// - Parameter root: an absolute directory; created when missing.
    public init(root: String, maximumSize: Int64, validator: QCOW2Validator, wholeImageCheck: any WholeImageCheck) {
        self.root = FilePath(URL(fileURLWithPath: root).standardizedFileURL.path)
        self.maximumSize = maximumSize
        self.validator = validator
        self.wholeImageCheck = wholeImageCheck
    }

    var temporaryDirectory: FilePath { root.appending("tmp") }

    /// Where the bytes with `digest` live.
    public func path(for digest: RegistryDomain.SHA256Digest) -> FilePath {
        root.appending("sha256").appending(String(digest.hex.prefix(2))).appending(digest.hex)
    }

    /// The `file://` URI of the blob with `digest`.
    public func location(for digest: RegistryDomain.SHA256Digest) -> ImageLocation {
        guard let location = try? ImageLocation(URL(fileURLWithPath: path(for: digest).string).absoluteString) else {
            preconditionFailure("a blob path is always a valid file:// location")
        }
        return location
    }

    /// The size of the stored blob with `digest`, or `nil` when the store
    /// does not hold it.
    public func storedSize(of digest: RegistryDomain.SHA256Digest) async throws -> Int64? {
        guard let info = try await fileSystem.info(forFileAt: path(for: digest), infoAboutSymbolicLink: true),
            info.type == .regular
        else { return nil }
        return info.size
    }

    /// Streams `body` into the store, validating it as a QCOW2 v3 image, at
    /// most `limit` bytes (``maximumSize`` when smaller or not given).
    /// Throws ``UploadRejection`` for bad input; any error removes the partial file.
    public func store<Body: AsyncSequence>(_ body: Body, limit: Int64? = nil) async throws -> StoredBlob
    where Body.Element == ByteBuffer {
        try await fileSystem.createDirectory(at: temporaryDirectory, withIntermediateDirectories: true, permissions: nil)
        let temporary = temporaryDirectory.appending("\(UUID().uuidString).part")
        let file = try await BlobFile.create(at: temporary.string)
        let image: VerifiedImage
        do {
            image = try await write(body, to: file, limit: min(limit ?? maximumSize, maximumSize))
            try await file.synchronize()
            try await file.close()
            try await wholeImageCheck.check(
                path: temporary.string, header: image.header, fileSize: UInt64(image.size))
        } catch {
            try? await file.close()
            _ = try? await fileSystem.removeItem(at: temporary, strategy: .platformDefault, recursively: false)
            throw error
        }
        let newlyStored = try await moveIntoPlace(temporary, digest: image.digest)
        return StoredBlob(
            digest: image.digest, size: image.size, location: location(for: image.digest), newlyStored: newlyStored)
    }

    /// Reads the file at `path` (not copied into the store) and verifies it
    /// as an upload would be: hashed, its header checked, then checked whole.
    public func verifyFile(at path: String) async throws -> VerifiedImage {
        var verifier = ImageStreamVerifier(validator: validator, maximumSize: maximumSize)
        try await consume(FilePath(path), upTo: nil, into: &verifier)
        let image = try verifier.finish()
        try await wholeImageCheck.check(path: path, header: image.header, fileSize: UInt64(image.size))
        return image
    }

    /// Reads the file at `path` (its first `length` bytes, or all of it)
    /// through `verifier`.
    func consume(_ path: FilePath, upTo length: Int64?, into verifier: inout ImageStreamVerifier) async throws {
        try await fileSystem.withFileHandle(forReadingAt: path) { handle in
            let range = length.map { 0..<$0 } ?? 0..<Int64.max
            for try await chunk in handle.readChunks(in: range, chunkLength: .mebibytes(1)) {
                try verifier.consume(chunk)
            }
        }
    }

    /// Copies the body to the file while ``ImageStreamVerifier`` checks it;
    /// ``BlobFileWriter`` writes each block while the next one is hashed.
    private func write<Body: AsyncSequence>(_ body: Body, to file: BlobFile, limit: Int64) async throws -> VerifiedImage
    where Body.Element == ByteBuffer {
        var writer = BlobFileWriter(file: file)
        var verifier = ImageStreamVerifier(validator: validator, maximumSize: limit)
        do {
            for try await chunk in body {
                try verifier.consume(chunk)
                try await writer.write(chunk)
            }
            let image = try verifier.finish()
            try await writer.finish()
            return image
        } catch {
            await writer.abandon()
            throw error
        }
    }

    /// Renames the finished file to its content address; returns false (and
    /// drops the copy) when those bytes were already stored.
    func moveIntoPlace(_ temporary: FilePath, digest: RegistryDomain.SHA256Digest) async throws -> Bool {
        let destination = path(for: digest)
        let directory = destination.removingLastComponent()
        try await fileSystem.createDirectory(at: directory, withIntermediateDirectories: true, permissions: nil)
        while true {
            do {
                try await fileSystem.moveItem(at: temporary, to: destination)
                try await synchronizeDirectory(directory)
                return true
            } catch let error as FileSystemError where error.code == .fileAlreadyExists {
                // The same bytes are stored already; keep them only if garbage
                // collection has not taken them meanwhile (else store ours).
                guard try await retain(digest) == nil else { break }
            }
        }
        _ = try await fileSystem.removeItem(at: temporary, strategy: .platformDefault, recursively: false)
        return false
    }

    /// Claims the stored blob with `digest` for an image about to name it:
    /// refreshes its time, so that garbage collection leaves it for the
    /// grace period, then checks it is still in place. Returns its size, or
    /// `nil` when the store does not hold it (or collection took it first).
    public func retain(_ digest: RegistryDomain.SHA256Digest) async throws -> Int64? {
        let path = path(for: digest)
        do {
            try await fileSystem.withFileHandle(forReadingAt: path) { try await $0.touch() }
        } catch let error as FileSystemError where error.code == .notFound {
            return nil
        }
        return try await storedSize(of: digest)
    }

    /// Makes the rename durable: the directory entry reaches the disk too.
    private func synchronizeDirectory(_ directory: FilePath) async throws {
        let handle = try await fileSystem.openFile(forReadingAt: directory, options: .init())
        try? await handle.synchronize()
        try await handle.close()
    }
}
