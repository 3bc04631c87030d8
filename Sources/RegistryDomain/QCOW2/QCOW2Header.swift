/// The fields of a QCOW2 version 3 header, read from the first bytes of an
/// image (all integers are big-endian on disk), and what its extensions say.
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
    public var compatibleFeatures: UInt64
    public var autoclearFeatures: UInt64
    public var refcountOrder: UInt32
    public var headerLength: UInt32
    /// 0 zlib, 1 zstd; zlib when the header is too short to name one.
    public var compressionType: UInt8
    /// Header extensions after the fixed header, in order, up to the end marker.
    public var extensions: [QCOW2HeaderExtension]
    /// Where the persistent dirty bitmaps' directory lies, when the image has any.
    public var bitmapDirectory: QCOW2Region?

    public var clusterSize: UInt64 { 1 << UInt64(clusterBits) }
    /// Header extension types found after the header, in order.
    public var extensionTypes: [UInt32] { extensions.map(\.type) }
    public var usesExtendedL2: Bool { incompatibleFeatures & QCOW2Feature.extendedL2 != 0 }
}

/// One header extension: its type and where its data lies in the file.
public struct QCOW2HeaderExtension: Sendable, Equatable {
    public var type: UInt32
    public var offset: Int
    public var length: Int
}

/// A byte range of the image file that one of its tables occupies.
public struct QCOW2Region: Sendable, Equatable {
    public var name: String
    public var offset: UInt64
    /// Never zero; `offset + length` never exceeds `Int64.max`.
    public var length: UInt64

    public var end: UInt64 { offset + length }

    public func overlaps(_ other: QCOW2Region) -> Bool {
        offset < other.end && other.offset < end
    }
}

/// The feature bits and extension types QCOW2 version 3 defines.
enum QCOW2Feature {
    static let dirty: UInt64 = 1 << 0
    static let corrupt: UInt64 = 1 << 1
    static let externalDataFile: UInt64 = 1 << 2
    static let compressionType: UInt64 = 1 << 3
    static let extendedL2: UInt64 = 1 << 4
    static let knownIncompatible: UInt64 = 0b1_1111

    static let autoclearBitmaps: UInt64 = 1 << 0
    static let autoclearRawExternalData: UInt64 = 1 << 1
}

/// Header extension types QEMU knows.
enum QCOW2ExtensionType {
    static let end: UInt32 = 0
    static let backingFormat: UInt32 = 0xE279_2ACA
    static let featureNameTable: UInt32 = 0x6803_F857
    static let bitmaps: UInt32 = 0x2385_2875
    static let fullDiskEncryption: UInt32 = 0x0537_BE77
    static let externalDataFile: UInt32 = 0x4441_5441
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
