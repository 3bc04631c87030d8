import Foundation
import NIOCore
import NIOFileSystem
import RegistryDomain

/// The bytes of a resumable upload session so far, in
/// `uploads/<id>.part` on the blob volume, appended chunk by chunk by
/// whichever replica a chunk reaches.
///
/// A chunk's bytes are only counted once ``flush()`` has made them
/// durable: the session's recorded offset is the file's length that
/// counts, and opening the file again cuts it to that length, so a chunk
/// cut off halfway leaves nothing that a retry would have to match.
/// Chunks are not hashed on the way in (a session's hash state cannot
/// outlive a replica); ``FileBlobStore/completeSession(_:expecting:)``
/// reads the whole file once, with every check of a single-request upload.
public struct UploadSessionFile: ~Copyable {
    private let file: BlobFile
    private var writer: BlobFileWriter
    private let maximumSize: Int64
    /// Every byte taken so far, durable or not.
    public private(set) var length: Int64

    /// Opens session `id`'s file cut to its first `length` bytes (created
    /// empty when missing).
    init(store: FileBlobStore, id: UUID, length: Int64) async throws {
        try await FileSystem.shared.createDirectory(
            at: store.sessionDirectory, withIntermediateDirectories: true, permissions: nil)
        let aligned = length % Int64(BlobFile.alignment) == 0
        file = try await BlobFile.reopen(at: store.sessionPath(of: id).string, keeping: length, bypassingCache: aligned)
        writer = BlobFileWriter(file: file, offset: length)
        maximumSize = store.maximumSize
        self.length = length
    }

    /// Appends the next bytes; ``UploadRejection/tooLarge(limit:)`` past
    /// the size limit.
    public mutating func append(_ chunk: ByteBuffer) async throws {
        guard length + Int64(chunk.readableBytes) <= maximumSize else {
            throw UploadRejection.tooLarge(limit: maximumSize)
        }
        try await writer.write(chunk)
        length += Int64(chunk.readableBytes)
    }

    /// Writes and synchronizes every byte taken; returns the file's length.
    public mutating func flush() async throws -> Int64 {
        try await writer.finish()
        try await file.synchronize()
        return length
    }

    /// Stops writing, keeping what is in the file.
    public consuming func close() async {
        await writer.abandon()
        try? await file.close()
    }
}

extension FileBlobStore {
    var sessionDirectory: FilePath { root.appending("uploads") }

    func sessionPath(of id: UUID) -> FilePath {
        sessionDirectory.appending("\(id.uuidString.lowercased()).part")
    }

    /// Session `id`'s file, to append to after its first `length` bytes.
    public func openSession(_ id: UUID, length: Int64) async throws -> UploadSessionFile {
        try await UploadSessionFile(store: self, id: id, length: length)
    }

    /// The first `count` bytes of session `id` (fewer when it holds fewer).
    public func sessionPrefix(_ id: UUID, count: Int) async throws -> [UInt8] {
        try await FileSystem.shared.withFileHandle(forReadingAt: sessionPath(of: id)) { handle in
            Array(buffer: try await handle.readChunk(fromAbsoluteOffset: 0, length: .bytes(Int64(count))))
        }
    }

    /// Checks session `id`'s file as a single-request upload is checked
    /// (the digest `expected` included) and stores it under its digest. The
    /// session's file is gone afterwards, accepted or not.
    public func completeSession(_ id: UUID, expecting expected: RegistryDomain.SHA256Digest?) async throws
        -> StoredBlob
    {
        let path = sessionPath(of: id)
        let image: VerifiedImage
        do {
            image = try await verifyFile(at: path.string)
            if let expected, expected != image.digest { throw DigestMismatch(expected: expected, actual: image.digest) }
        } catch {
            await removePartial(at: path)
            throw error
        }
        let newlyStored = try await moveIntoPlace(path, digest: image.digest)
        return StoredBlob(
            digest: image.digest, size: image.size, location: location(for: image.digest), newlyStored: newlyStored)
    }

    /// Removes session `id`'s file, if there is one.
    public func removeSession(_ id: UUID) async {
        await removePartial(at: sessionPath(of: id))
    }
}
