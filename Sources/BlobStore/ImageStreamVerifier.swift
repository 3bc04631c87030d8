import Crypto
import Foundation
import NIOCore
import RegistryDomain

/// Verifies an image's bytes as they stream past: hashes them, counts them
/// against the size limit, checks the QCOW2 header as soon as its first
/// bytes are in, and keeps the last bytes for the footer check.
struct ImageStreamVerifier {
    let validator: QCOW2Validator
    let maximumSize: Int64
    private var hasher = SHA256()
    private var size: Int64 = 0
    private var prefix: [UInt8] = []
    private var header: QCOW2Header?
    private var trailer: [UInt8] = []

    init(validator: QCOW2Validator, maximumSize: Int64) {
        self.validator = validator
        self.maximumSize = maximumSize
    }

    /// Takes the next chunk; throws ``UploadRejection`` as soon as the bytes
    /// cannot be an acceptable image.
    mutating func consume(_ chunk: ByteBuffer) throws(UploadRejection) {
        size += Int64(chunk.readableBytes)
        guard size <= maximumSize else { throw UploadRejection.tooLarge(limit: maximumSize) }
        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        if header == nil {
            prefix += chunk.readableBytesView.prefix(QCOW2Validator.prefixLength - prefix.count)
            if prefix.count == QCOW2Validator.prefixLength {
                header = try Self.rejecting { () throws(QCOW2ValidationError) in try validator.validateHeader(prefix) }
                prefix = []
            }
        }
        let keep = QCOW2Validator.trailerLength
        let tail = chunk.readableBytesView.suffix(keep)
        // Most chunks are larger than the trailer: their own end replaces it.
        trailer = tail.count == keep ? Array(tail) : Array((trailer + tail).suffix(keep))
    }

    /// The verified stream: its digest, size and header, once every byte is in.
    mutating func finish() throws(UploadRejection) -> VerifiedImage {
        let checked: QCOW2Header
        if let header {
            checked = header
        } else {
            let (validator, prefix) = (self.validator, self.prefix)
            checked = try Self.rejecting { () throws(QCOW2ValidationError) in try validator.validateHeader(prefix) }
        }
        try Self.rejecting { () throws(QCOW2ValidationError) in
            try validator.validateLength(checked, fileSize: UInt64(size))
            try validator.validateTrailer(trailer)
        }
        return VerifiedImage(digest: RegistryDomain.SHA256Digest(hasher.finalize()), size: size, header: checked)
    }

    private static func rejecting<T>(_ body: () throws(QCOW2ValidationError) -> T) throws(UploadRejection) -> T {
        do {
            return try body()
        } catch {
            throw UploadRejection.invalidImage(error)
        }
    }
}

/// Bytes the registry has hashed and checked itself.
public struct VerifiedImage: Sendable, Equatable {
    public let digest: RegistryDomain.SHA256Digest
    public let size: Int64
    public let header: QCOW2Header
}
