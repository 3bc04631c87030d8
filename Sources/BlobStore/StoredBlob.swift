import RegistryDomain

/// A file the blob store holds, named by its content.
public struct StoredBlob: Sendable, Equatable {
    public let digest: SHA256Digest
    public let size: Int64
    /// `file://` URI of the content-addressed path.
    public let location: ImageLocation
    /// False when the same bytes were already stored: nothing new was written.
    public let newlyStored: Bool
}

/// Why an upload was not stored. Nothing is left behind in either case.
public enum UploadRejection: Error, Equatable, Sendable {
    /// The body grew past the configured limit.
    case tooLarge(limit: Int64)
    /// The bytes are not an acceptable QCOW2 v3 image.
    case invalidImage(QCOW2ValidationError)
}
