/// The fields of a QCOW2 header the registry checks, read from the first
/// bytes of an image (all integers are big-endian on disk).
public struct QCOW2Header: Sendable, Equatable {
    public var version: UInt32
    public var backingFileOffset: UInt64
    public var backingFileSize: UInt32
    public var clusterBits: UInt32
    public var virtualSize: UInt64
    public var encryptionMethod: UInt32
    public var l1Size: UInt32
    public var l1TableOffset: UInt64
    public var refcountTableOffset: UInt64
    public var refcountTableClusters: UInt32
    public var snapshotCount: UInt32
    public var snapshotsOffset: UInt64
    public var incompatibleFeatures: UInt64
    public var headerLength: UInt32
    /// Header extension types found after the header, in order.
    public var extensionTypes: [UInt32]

    public var clusterSize: UInt64 { 1 << UInt64(clusterBits) }
}

/// Why an upload is not an acceptable QCOW2 v3 image; the message says what
/// is wrong in words an uploader can act on.
public struct QCOW2ValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
