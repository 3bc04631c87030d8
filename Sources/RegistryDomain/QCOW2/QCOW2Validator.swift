/// Checks that bytes are a self-contained QCOW2 version 3 image before the
/// registry accepts them: magic, version, header and table sanity, no
/// backing file, no external data file, no encryption, nothing truncated.
///
/// A backing file pointing at a host path is a known attack on image
/// services (the image then reads the host's file), so any backing file is
/// refused; images must be flattened (`qemu-img convert`).
public struct QCOW2Validator: Sendable {
    /// Bytes that always hold the header and its extensions: the largest
    /// cluster QCOW2 allows (2 MiB); extensions end within the first cluster.
    public static let prefixLength = 1 << 21
    static let magic: UInt32 = 0x5146_49FB
    static let version3HeaderLength = 104
    static let externalDataFileExtension: UInt32 = 0x4441_5441
    static let knownIncompatibleFeatures: UInt64 = 0b1_1111

    /// The largest virtual disk accepted.
    public var maximumVirtualSize: UInt64

    public init(maximumVirtualSize: UInt64 = 1 << 41) {
        self.maximumVirtualSize = maximumVirtualSize
    }

    /// Parses and checks the header from the first bytes of the file (up to
    /// ``prefixLength``, or the whole file when it is shorter).
    public func validateHeader(_ prefix: [UInt8]) throws(QCOW2ValidationError) -> QCOW2Header {
        let reader = BigEndianReader(prefix)
        guard prefix.count >= 4, reader.uint32(at: 0) == Self.magic else {
            throw QCOW2ValidationError("not a QCOW2 image: the file does not start with the magic bytes QFI\\xfb")
        }
        guard prefix.count >= 8 else { throw QCOW2ValidationError("the QCOW2 header is truncated") }
        let version = reader.uint32(at: 4)
        guard version == 3 else {
            if version == 2 {
                throw QCOW2ValidationError(
                    "QCOW2 version 2 is not supported: version 3 is required (convert with qemu-img convert -O qcow2 -o compat=1.1)")
            }
            throw QCOW2ValidationError("unknown QCOW2 version \(version): version 3 is required")
        }
        guard prefix.count >= Self.version3HeaderLength else {
            throw QCOW2ValidationError("the QCOW2 header is truncated (\(prefix.count) of \(Self.version3HeaderLength) bytes)")
        }
        var header = QCOW2Header(
            version: version,
            backingFileOffset: reader.uint64(at: 8),
            backingFileSize: reader.uint32(at: 16),
            clusterBits: reader.uint32(at: 20),
            virtualSize: reader.uint64(at: 24),
            encryptionMethod: reader.uint32(at: 32),
            l1Size: reader.uint32(at: 36),
            l1TableOffset: reader.uint64(at: 40),
            refcountTableOffset: reader.uint64(at: 48),
            refcountTableClusters: reader.uint32(at: 56),
            snapshotCount: reader.uint32(at: 60),
            snapshotsOffset: reader.uint64(at: 64),
            incompatibleFeatures: reader.uint64(at: 72),
            headerLength: reader.uint32(at: 100),
            extensionTypes: [])
        try checkFields(header)
        header.extensionTypes = try extensionTypes(reader, header: header)
        if header.extensionTypes.contains(Self.externalDataFileExtension) {
            throw QCOW2ValidationError("the image uses an external data file; images must be self-contained")
        }
        return header
    }

    private func checkFields(_ header: QCOW2Header) throws(QCOW2ValidationError) {
        guard (9...21).contains(header.clusterBits) else {
            throw QCOW2ValidationError("cluster bits must be 9 to 21 (got \(header.clusterBits))")
        }
        guard header.headerLength >= Self.version3HeaderLength, header.headerLength % 8 == 0,
            UInt64(header.headerLength) <= header.clusterSize
        else {
            throw QCOW2ValidationError("invalid QCOW2 header length \(header.headerLength)")
        }
        guard header.backingFileOffset == 0, header.backingFileSize == 0 else {
            throw QCOW2ValidationError(
                "the image has a backing file; images must be self-contained (flatten it with qemu-img convert)")
        }
        if header.incompatibleFeatures & 0b100 != 0 {
            throw QCOW2ValidationError("the image uses an external data file; images must be self-contained")
        }
        if header.incompatibleFeatures & 0b10 != 0 {
            throw QCOW2ValidationError("the image is marked corrupt; repair it with qemu-img check -r all")
        }
        if header.incompatibleFeatures & 0b1 != 0 {
            throw QCOW2ValidationError("the image was not closed cleanly (dirty); repair it with qemu-img check -r all")
        }
        guard header.incompatibleFeatures & ~Self.knownIncompatibleFeatures == 0 else {
            throw QCOW2ValidationError("the image uses QCOW2 features this registry does not know")
        }
        guard header.encryptionMethod == 0 else {
            throw QCOW2ValidationError("encrypted images cannot boot unattended; upload an unencrypted image")
        }
        guard header.virtualSize > 0, header.virtualSize <= maximumVirtualSize else {
            throw QCOW2ValidationError("virtual size \(header.virtualSize) is outside 1 to \(maximumVirtualSize) bytes")
        }
        let cluster = header.clusterSize
        guard header.l1TableOffset % cluster == 0, header.refcountTableOffset > 0,
            header.refcountTableOffset % cluster == 0, header.refcountTableClusters > 0
        else {
            throw QCOW2ValidationError("the image's table offsets are not cluster-aligned")
        }
        let entriesPerL2 = cluster / 8
        let (perL1, overflow) = cluster.multipliedReportingOverflow(by: entriesPerL2)
        let needed = overflow ? 1 : (header.virtualSize + perL1 - 1) / perL1
        guard UInt64(header.l1Size) >= needed else {
            throw QCOW2ValidationError("the L1 table is too small for the virtual size")
        }
        guard header.snapshotCount == 0 || header.snapshotsOffset % cluster == 0 else {
            throw QCOW2ValidationError("the snapshot table offset is not cluster-aligned")
        }
    }

    /// The header extensions after the fixed header, up to the end marker.
    private func extensionTypes(_ reader: BigEndianReader, header: QCOW2Header) throws(QCOW2ValidationError) -> [UInt32] {
        var types: [UInt32] = []
        var offset = Int(header.headerLength)
        let limit = Int(min(header.clusterSize, UInt64(Self.prefixLength)))
        while true {
            guard offset + 8 <= limit else { throw QCOW2ValidationError("the QCOW2 header extensions run past the first cluster") }
            guard offset + 8 <= reader.count else { throw QCOW2ValidationError("the QCOW2 header is truncated") }
            let type = reader.uint32(at: offset)
            let length = Int(reader.uint32(at: offset + 4))
            if type == 0 { return types }
            types.append(type)
            offset += 8 + (length + 7) / 8 * 8
        }
    }

    /// Checks, once the whole file is known, that the tables the header
    /// points at lie inside it: a cut-off upload fails here.
    public func validateLength(_ header: QCOW2Header, fileSize: UInt64) throws(QCOW2ValidationError) {
        let cluster = header.clusterSize
        let tableEnds = [
            header.refcountTableOffset + UInt64(header.refcountTableClusters) * cluster,
            header.l1TableOffset + UInt64(header.l1Size) * 8,
            header.snapshotCount > 0 ? header.snapshotsOffset + 1 : 0,
        ]
        guard tableEnds.allSatisfy({ $0 <= fileSize }) else {
            throw QCOW2ValidationError("the image is truncated: its tables reach past the end of the file (\(fileSize) bytes)")
        }
    }
}

/// Reads big-endian integers from a byte array.
struct BigEndianReader {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var count: Int { bytes.count }

    func uint32(at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    func uint64(at offset: Int) -> UInt64 {
        bytes[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
