/// Checks that bytes are a self-contained QCOW2 version 3 image before the
/// registry accepts them, following the rules QEMU applies when it opens an
/// image (`qcow2_do_open`) and stricter where QEMU is lenient: every field,
/// every header extension, every table's place in the file, no backing file,
/// no external data file, no encryption, and no bytes that another format's
/// probe would also recognise.
///
/// Nothing here can trap: every offset and length is checked for overflow
/// (QEMU's rule: offset + length ≤ `Int64.max`) before it is used.
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
    /// QEMU's limits: an active L1 table of at most 32 MiB, a refcount table
    /// of at most 8 MiB, 65,536 snapshots, 64 MiB of bitmap directory.
    static let maximumL1Entries: UInt64 = (32 << 20) / 8
    static let maximumRefcountTableBytes: UInt64 = 8 << 20
    static let maximumSnapshots: UInt32 = 65_536
    static let snapshotEntryMinimumLength: UInt64 = 40
    static let maximumBitmaps: UInt32 = 65_535
    static let maximumBitmapDirectoryBytes: UInt64 = 64 << 20

    /// The largest virtual disk accepted.
    public var maximumVirtualSize: UInt64

    public init(maximumVirtualSize: UInt64 = 1 << 41) {
        self.maximumVirtualSize = min(maximumVirtualSize, UInt64(Int64.max))
    }

    /// Parses and checks the header from the first bytes of the file (up to
    /// ``prefixLength``, or the whole file when it is shorter): everything
    /// that does not need the file's length.
    public func validateHeader(_ prefix: [UInt8]) throws(QCOW2ValidationError) -> QCOW2Header {
        let reader = BigEndianReader(prefix)
        guard let magic = reader.uint32(at: 0), magic == Self.magic else {
            throw QCOW2ValidationError("not a QCOW2 image: the file does not start with the magic bytes QFI\\xfb")
        }
        guard let version = reader.uint32(at: 4) else { throw QCOW2ValidationError("the QCOW2 header is truncated") }
        guard version == 3 else {
            if version == 2 {
                throw QCOW2ValidationError(
                    "QCOW2 version 2 is not supported: version 3 is required (convert with qemu-img convert -O qcow2 -o compat=1.1)")
            }
            throw QCOW2ValidationError("unknown QCOW2 version \(version): version 3 is required")
        }
        var header = try Self.fixedFields(reader)
        try checkLayoutFields(header)
        guard prefix.count >= Int(header.headerLength) else {
            throw QCOW2ValidationError("the QCOW2 header is truncated (\(prefix.count) of \(header.headerLength) bytes)")
        }
        header.compressionType = header.headerLength > Self.version3HeaderLength ? prefix[Self.version3HeaderLength] : 0
        try checkFeatures(header)
        try QCOW2HeaderExtensions.read(reader, into: &header)
        try checkTables(header)
        _ = try Self.regions(of: header)
        try QCOW2FormatProbes.refuseOtherFormats(prefix)
        return header
    }

    /// Checks, once the whole file is known, that every table the header
    /// points at lies inside it: a cut-off upload fails here.
    public func validateLength(_ header: QCOW2Header, fileSize: UInt64) throws(QCOW2ValidationError) {
        for region in try Self.regions(of: header) where region.end > fileSize {
            throw QCOW2ValidationError(
                "the image is truncated: its \(region.name) reaches past the end of the file (\(fileSize) bytes)")
        }
    }

    /// Checks the file's last bytes (up to 512): no other format's footer.
    public func validateTrailer(_ lastBytes: [UInt8]) throws(QCOW2ValidationError) {
        try QCOW2FormatProbes.refuseOtherFormats(trailer: lastBytes)
    }

    /// How many bytes of the file's end ``validateTrailer(_:)`` looks at.
    public static var trailerLength: Int { QCOW2FormatProbes.trailerLength }

    /// The fixed header fields; 104 bytes must be there.
    private static func fixedFields(_ reader: BigEndianReader) throws(QCOW2ValidationError) -> QCOW2Header {
        guard reader.count >= version3HeaderLength, let fields = QCOW2Header(reading: reader) else {
            throw QCOW2ValidationError(
                "the QCOW2 header is truncated (\(reader.count) of \(version3HeaderLength) bytes)")
        }
        return fields
    }

    /// Cluster size and header length, which everything else is read with.
    private func checkLayoutFields(_ header: QCOW2Header) throws(QCOW2ValidationError) {
        guard (9...21).contains(header.clusterBits) else {
            throw QCOW2ValidationError("cluster bits must be 9 to 21 (got \(header.clusterBits))")
        }
        guard header.headerLength >= Self.version3HeaderLength, header.headerLength % 8 == 0,
            UInt64(header.headerLength) <= header.clusterSize
        else {
            throw QCOW2ValidationError(
                "invalid QCOW2 header length \(header.headerLength): it must be a multiple of 8 from 104 to the cluster size")
        }
    }

    /// Feature bits, compression, encryption and backing files.
    private func checkFeatures(_ header: QCOW2Header) throws(QCOW2ValidationError) {
        guard header.backingFileOffset == 0, header.backingFileSize == 0 else {
            throw QCOW2ValidationError(
                "the image has a backing file; images must be self-contained (flatten it with qemu-img convert)")
        }
        let incompatible = header.incompatibleFeatures
        guard incompatible & ~QCOW2Feature.knownIncompatible == 0 else {
            let unknown = incompatible & ~QCOW2Feature.knownIncompatible
            throw QCOW2ValidationError(
                "the image uses QCOW2 features this registry does not know (incompatible feature bits 0x\(String(unknown, radix: 16)))")
        }
        if incompatible & QCOW2Feature.externalDataFile != 0 {
            throw QCOW2ValidationError("the image uses an external data file; images must be self-contained")
        }
        if incompatible & QCOW2Feature.corrupt != 0 {
            throw QCOW2ValidationError("the image is marked corrupt; repair it with qemu-img check -r all")
        }
        if incompatible & QCOW2Feature.dirty != 0 {
            throw QCOW2ValidationError("the image was not closed cleanly (dirty); repair it with qemu-img check -r all")
        }
        if header.autoclearFeatures & QCOW2Feature.autoclearRawExternalData != 0 {
            throw QCOW2ValidationError("the image sets the raw external data bit but has no data file")
        }
        try checkCompression(header)
        if header.usesExtendedL2, header.clusterBits < 14 {
            throw QCOW2ValidationError("extended L2 entries need clusters of at least 16 KiB (got \(header.clusterSize) bytes)")
        }
        guard header.refcountOrder <= 6 else {
            throw QCOW2ValidationError("refcount order \(header.refcountOrder) is too large: refcounts are at most 64 bits")
        }
        guard header.encryptionMethod == 0 else {
            throw QCOW2ValidationError("encrypted images cannot boot unattended; upload an unencrypted image")
        }
        guard header.virtualSize > 0, header.virtualSize <= maximumVirtualSize else {
            throw QCOW2ValidationError("virtual size \(header.virtualSize) is outside 1 to \(maximumVirtualSize) bytes")
        }
    }

    /// zlib (0) or zstd (1), with the incompatible bit set exactly for zstd.
    private func checkCompression(_ header: QCOW2Header) throws(QCOW2ValidationError) {
        let flagged = header.incompatibleFeatures & QCOW2Feature.compressionType != 0
        switch header.compressionType {
        case 0 where flagged:
            throw QCOW2ValidationError("the compression type bit is set, but the compression type is zlib")
        case 1 where !flagged:
            throw QCOW2ValidationError("the compression type is zstd, but the compression type bit is not set")
        case 0, 1:
            return
        default:
            throw QCOW2ValidationError("unknown compression type \(header.compressionType): only zlib (0) and zstd (1) exist")
        }
    }

    /// The L1, refcount and snapshot tables: sizes and alignment.
    private func checkTables(_ header: QCOW2Header) throws(QCOW2ValidationError) {
        let cluster = header.clusterSize
        guard UInt64(header.l1Size) <= Self.maximumL1Entries else {
            throw QCOW2ValidationError("the L1 table is too large (\(header.l1Size) entries)")
        }
        guard UInt64(header.l1Size) >= Self.l1EntriesNeeded(header) else {
            throw QCOW2ValidationError("the L1 table is too small for the virtual size")
        }
        guard header.l1TableOffset != 0, header.l1TableOffset % cluster == 0 else {
            throw QCOW2ValidationError("the L1 table offset \(header.l1TableOffset) is zero or not cluster-aligned")
        }
        guard header.refcountTableOffset != 0, header.refcountTableOffset % cluster == 0 else {
            throw QCOW2ValidationError(
                "the refcount table offset \(header.refcountTableOffset) is zero or not cluster-aligned")
        }
        guard header.refcountTableClusters > 0,
            UInt64(header.refcountTableClusters) <= Self.maximumRefcountTableBytes >> UInt64(header.clusterBits)
        else {
            throw QCOW2ValidationError("the refcount table size (\(header.refcountTableClusters) clusters) is out of range")
        }
        guard header.snapshotCount <= Self.maximumSnapshots else {
            throw QCOW2ValidationError("the image has \(header.snapshotCount) snapshots; at most 65536 are allowed")
        }
        if header.snapshotCount > 0 {
            guard header.snapshotsOffset != 0, header.snapshotsOffset % cluster == 0 else {
                throw QCOW2ValidationError(
                    "the snapshot table offset \(header.snapshotsOffset) is zero or not cluster-aligned")
            }
        }
    }

    /// L1 entries a disk of the header's virtual size needs.
    static func l1EntriesNeeded(_ header: QCOW2Header) -> UInt64 {
        let cluster = header.clusterSize
        let entriesPerL2 = cluster / (header.usesExtendedL2 ? 16 : 8)
        // At most 2^21 * 2^18 = 2^39: no overflow for any cluster size.
        let bytesPerL1Entry = cluster * entriesPerL2
        return header.virtualSize / bytesPerL1Entry + (header.virtualSize % bytesPerL1Entry == 0 ? 0 : 1)
    }

    /// The file's fixed parts: the header cluster and every table, each
    /// overflow-checked, none overlapping another.
    static func regions(of header: QCOW2Header) throws(QCOW2ValidationError) -> [QCOW2Region] {
        guard (9...21).contains(header.clusterBits) else {
            throw QCOW2ValidationError("cluster bits must be 9 to 21 (got \(header.clusterBits))")
        }
        let cluster = header.clusterSize
        var regions = [QCOW2Region(name: "header", offset: 0, length: cluster)]
        func add(_ name: String, offset: UInt64, count: UInt64, each: UInt64) throws(QCOW2ValidationError) {
            guard count > 0 else { return }
            let (length, overflow) = count.multipliedReportingOverflow(by: each)
            guard !overflow, length <= UInt64(Int64.max), offset <= UInt64(Int64.max) - length else {
                throw QCOW2ValidationError("the \(name) at offset \(offset) lies beyond any possible file size")
            }
            regions.append(QCOW2Region(name: name, offset: offset, length: length))
        }
        try add("L1 table", offset: header.l1TableOffset, count: UInt64(header.l1Size), each: 8)
        try add("refcount table", offset: header.refcountTableOffset,
                count: UInt64(header.refcountTableClusters), each: cluster)
        try add("snapshot table", offset: header.snapshotsOffset, count: UInt64(header.snapshotCount),
                each: snapshotEntryMinimumLength)
        if let directory = header.bitmapDirectory {
            try add(directory.name, offset: directory.offset, count: directory.length, each: 1)
        }
        for (index, region) in regions.enumerated() {
            for other in regions[..<index] where region.overlaps(other) {
                throw QCOW2ValidationError("the image's \(region.name) overlaps its \(other.name)")
            }
        }
        return regions
    }
}

extension QCOW2Header {
    /// The 104 bytes of fixed fields; `nil` when fewer are there.
    init?(reading reader: BigEndianReader) {
        guard let version = reader.uint32(at: 4), let backingFileOffset = reader.uint64(at: 8),
            let backingFileSize = reader.uint32(at: 16), let clusterBits = reader.uint32(at: 20),
            let virtualSize = reader.uint64(at: 24), let encryptionMethod = reader.uint32(at: 32),
            let l1Size = reader.uint32(at: 36), let l1TableOffset = reader.uint64(at: 40),
            let refcountTableOffset = reader.uint64(at: 48), let refcountTableClusters = reader.uint32(at: 56),
            let snapshotCount = reader.uint32(at: 60), let snapshotsOffset = reader.uint64(at: 64),
            let incompatibleFeatures = reader.uint64(at: 72), let compatibleFeatures = reader.uint64(at: 80),
            let autoclearFeatures = reader.uint64(at: 88), let refcountOrder = reader.uint32(at: 96),
            let headerLength = reader.uint32(at: 100)
        else { return nil }
        self.init(
            version: version, backingFileOffset: backingFileOffset, backingFileSize: backingFileSize,
            clusterBits: clusterBits, virtualSize: virtualSize, encryptionMethod: encryptionMethod, l1Size: l1Size,
            l1TableOffset: l1TableOffset, refcountTableOffset: refcountTableOffset,
            refcountTableClusters: refcountTableClusters, snapshotCount: snapshotCount,
            snapshotsOffset: snapshotsOffset, incompatibleFeatures: incompatibleFeatures,
            compatibleFeatures: compatibleFeatures, autoclearFeatures: autoclearFeatures,
            refcountOrder: refcountOrder, headerLength: headerLength, compressionType: 0, extensions: [],
            bitmapDirectory: nil)
    }
}

/// Reads big-endian integers from a byte array; `nil` past its end.
struct BigEndianReader {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var count: Int { bytes.count }

    func uint32(at offset: Int) -> UInt32? {
        read(4, at: offset).map(UInt32.init(truncatingIfNeeded:))
    }

    func uint64(at offset: Int) -> UInt64? {
        read(8, at: offset)
    }

    private func read(_ width: Int, at offset: Int) -> UInt64? {
        guard offset >= 0, offset <= bytes.count - width else { return nil }
        return bytes[offset..<offset + width].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
