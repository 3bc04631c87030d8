import Foundation
import NIOCore
import NIOFileSystem
import RegistryDomain

/// An image the registry downloads in one or more pieces (an import): its
/// bytes so far in `imports/<id>.part` on the blob volume, hashed and
/// checked as they arrive exactly as an upload's are
/// (``ImageStreamVerifier``), so that a download cut off on one replica
/// can go on from the same file on another.
///
/// Only bytes made durable by ``checkpoint()`` count on a resume: opening
/// the partial file again cuts it to the durable length the caller kept
/// (rounded down to ``BlobFile/alignment``) and reads those bytes through a
/// new verifier. ``finish()`` checks the whole file and moves it to its
/// content address, as ``FileBlobStore/store(_:)`` does.
public struct PartialBlob: ~Copyable {
    private let store: FileBlobStore
    private let path: FilePath
    private let file: BlobFile
    private var writer: BlobFileWriter
    private var verifier: ImageStreamVerifier
    /// Every byte taken so far, whether on disk yet or not.
    public private(set) var length: Int64

    init(store: FileBlobStore, path: FilePath, file: BlobFile, length: Int64, verifier: ImageStreamVerifier) {
        self.store = store
        self.path = path
        self.file = file
        self.writer = BlobFileWriter(file: file, offset: length)
        self.verifier = verifier
        self.length = length
    }

    /// Takes the next bytes; throws ``UploadRejection`` as soon as they
    /// cannot be an acceptable image.
    public mutating func append(_ chunk: ByteBuffer) async throws {
        try verifier.consume(chunk)
        try await writer.write(chunk)
        length += Int64(chunk.readableBytes)
    }

    /// Makes the bytes written so far durable and returns how many are: a
    /// resume may start there.
    public mutating func checkpoint() async throws -> Int64 {
        let written = try await writer.drain()
        try await file.synchronize()
        return written
    }

    /// Starts again from the first byte (the server sent the whole file).
    public mutating func restart() async throws {
        await writer.abandon()
        try await file.truncate(to: 0)
        writer = BlobFileWriter(file: file, offset: 0)
        verifier = ImageStreamVerifier(validator: store.validator, maximumSize: store.maximumSize)
        length = 0
    }

    /// Checks the whole image (and that its digest is `expected`, when
    /// given: ``DigestMismatch`` otherwise) and stores it under its digest;
    /// the partial file is gone afterwards, whether the image was accepted
    /// or not.
    public consuming func finish(expecting expected: RegistryDomain.SHA256Digest?) async throws -> StoredBlob {
        let (store, path, file) = (self.store, self.path, self.file)
        let image: VerifiedImage
        do {
            image = try verifier.finish()
            if let expected, expected != image.digest { throw DigestMismatch(expected: expected, actual: image.digest) }
            try await writer.finish()
            try await file.synchronize()
            try await file.close()
            try await store.wholeImageCheck.check(path: path.string, header: image.header, fileSize: UInt64(image.size))
        } catch {
            await writer.abandon()
            try? await file.close()
            await store.removePartial(at: path)
            throw error
        }
        let newlyStored = try await store.moveIntoPlace(path, digest: image.digest)
        return StoredBlob(
            digest: image.digest, size: image.size, location: store.location(for: image.digest),
            newlyStored: newlyStored)
    }

    /// Stops writing and keeps the file, for a later resume.
    public consuming func suspend() async {
        await writer.abandon()
        try? await file.synchronize()
        try? await file.close()
    }

    /// Stops writing and removes the file.
    public consuming func discard() async {
        await writer.abandon()
        try? await file.close()
        await store.removePartial(at: path)
    }
}

/// The bytes are not the ones the caller said they would be.
public struct DigestMismatch: Error, Sendable, CustomStringConvertible {
    public let expected: RegistryDomain.SHA256Digest
    public let actual: RegistryDomain.SHA256Digest

    public var description: String { "the bytes have sha256 \(actual.hex), not the expected \(expected.hex)" }
}

extension FileBlobStore {
    var partialDirectory: FilePath { root.appending("imports") }

    /// The partial file of import `id`.
    public func partialPath(of id: UUID) -> FilePath {
        partialDirectory.appending("\(id.uuidString.lowercased()).part")
    }

    /// Opens import `id`'s partial file to go on with it: its first
    /// `durableLength` bytes (rounded down to a multiple of
    /// ``BlobFile/alignment``, and no more than the file holds) are kept and
    /// read again through the verifier; a missing file starts empty.
    /// Throws ``UploadRejection`` when the kept bytes are already not an
    /// acceptable image.
    public func openPartial(of id: UUID, durableLength: Int64) async throws -> PartialBlob {
        try await FileSystem.shared.createDirectory(
            at: partialDirectory, withIntermediateDirectories: true, permissions: nil)
        let path = partialPath(of: id)
        let onDisk = try await FileSystem.shared.info(forFileAt: path)?.size ?? 0
        let alignment = Int64(BlobFile.alignment)
        let kept = max(0, min(durableLength, onDisk)) / alignment * alignment
        let file = try await BlobFile.reopen(at: path.string, keeping: kept)
        var verifier = ImageStreamVerifier(validator: validator, maximumSize: maximumSize)
        do {
            if kept > 0 { try await consume(path, upTo: kept, into: &verifier) }
        } catch {
            try? await file.close()
            throw error
        }
        return PartialBlob(store: self, path: path, file: file, length: kept, verifier: verifier)
    }

    /// Removes import `id`'s partial file, if there is one.
    public func removePartial(of id: UUID) async {
        await removePartial(at: partialPath(of: id))
    }

    func removePartial(at path: FilePath) async {
        _ = try? await FileSystem.shared.removeItem(at: path, strategy: .platformDefault, recursively: false)
    }
}
