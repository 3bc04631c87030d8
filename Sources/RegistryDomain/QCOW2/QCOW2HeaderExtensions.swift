/// Reads and checks the header extensions that follow the fixed header, as
/// QEMU does (`qcow2_read_extensions`), and stricter: the list must end with
/// its end marker inside the first cluster, a known extension must have its
/// exact shape, and any extension that makes the image depend on another file
/// or a key is refused. Unknown extension types are skipped, as QEMU does.
enum QCOW2HeaderExtensions {
    static let featureNameEntryLength = 48
    static let bitmapsLength = 24

    static func read(_ reader: BigEndianReader, into header: inout QCOW2Header) throws(QCOW2ValidationError) {
        // Backing files are refused before this, so the extensions may use the whole first cluster.
        let end = Int(header.clusterSize)
        var offset = Int(header.headerLength)
        var seen = Set<UInt32>()
        while true {
            guard offset <= end - 8 else {
                throw QCOW2ValidationError("the QCOW2 header extensions have no end marker within the first cluster")
            }
            guard let type = reader.uint32(at: offset), let declared = reader.uint32(at: offset + 4) else {
                throw QCOW2ValidationError("the QCOW2 header is truncated inside its extensions")
            }
            offset += 8
            if type == QCOW2ExtensionType.end { return }
            let length = Int(declared)
            guard length <= end - offset else {
                throw QCOW2ValidationError(
                    "header extension 0x\(hex(type)) is \(declared) bytes long and runs past the first cluster")
            }
            guard offset + length <= reader.count else {
                throw QCOW2ValidationError("the QCOW2 header is truncated inside header extension 0x\(hex(type))")
            }
            let known = [
                QCOW2ExtensionType.featureNameTable, QCOW2ExtensionType.bitmaps, QCOW2ExtensionType.backingFormat,
                QCOW2ExtensionType.fullDiskEncryption, QCOW2ExtensionType.externalDataFile,
            ]
            if known.contains(type), !seen.insert(type).inserted {
                throw QCOW2ValidationError("header extension 0x\(hex(type)) appears twice")
            }
            let found = QCOW2HeaderExtension(type: type, offset: offset, length: length)
            try check(found, reader, header: &header)
            header.extensions.append(found)
            offset += (length + 7) / 8 * 8
        }
    }

    private static func check(
        _ found: QCOW2HeaderExtension, _ reader: BigEndianReader, header: inout QCOW2Header
    ) throws(QCOW2ValidationError) {
        switch found.type {
        case QCOW2ExtensionType.backingFormat:
            throw QCOW2ValidationError(
                "the image names a backing file format (header extension 0xe2792aca); images must be self-contained (flatten it with qemu-img convert)")
        case QCOW2ExtensionType.externalDataFile:
            throw QCOW2ValidationError("the image uses an external data file; images must be self-contained")
        case QCOW2ExtensionType.fullDiskEncryption:
            throw QCOW2ValidationError(
                "the image carries an encryption header; encrypted images cannot boot unattended")
        case QCOW2ExtensionType.featureNameTable:
            guard found.length % featureNameEntryLength == 0 else {
                throw QCOW2ValidationError(
                    "the feature name table is \(found.length) bytes, not a multiple of \(featureNameEntryLength)")
            }
        case QCOW2ExtensionType.bitmaps:
            header.bitmapDirectory = try bitmapDirectory(found, reader, header: header)
        default:
            return
        }
    }

    /// The bitmap directory the bitmaps extension points at, when the
    /// image's bitmaps are consistent (QEMU ignores them otherwise).
    private static func bitmapDirectory(
        _ found: QCOW2HeaderExtension, _ reader: BigEndianReader, header: QCOW2Header
    ) throws(QCOW2ValidationError) -> QCOW2Region? {
        guard found.length == bitmapsLength, let count = reader.uint32(at: found.offset),
            let reserved = reader.uint32(at: found.offset + 4), let size = reader.uint64(at: found.offset + 8),
            let offset = reader.uint64(at: found.offset + 16)
        else {
            throw QCOW2ValidationError("the bitmaps extension is \(found.length) bytes, not \(bitmapsLength)")
        }
        guard header.autoclearFeatures & QCOW2Feature.autoclearBitmaps != 0 else { return nil }
        guard reserved == 0 else { throw QCOW2ValidationError("the bitmaps extension's reserved field is not zero") }
        guard (1...QCOW2Validator.maximumBitmaps).contains(count) else {
            throw QCOW2ValidationError("the bitmaps extension names \(count) bitmaps; 1 to 65535 are allowed")
        }
        guard offset != 0, offset % header.clusterSize == 0 else {
            throw QCOW2ValidationError("the bitmap directory offset \(offset) is zero or not cluster-aligned")
        }
        guard size > 0, size <= QCOW2Validator.maximumBitmapDirectoryBytes else {
            throw QCOW2ValidationError("the bitmap directory size \(size) is out of range")
        }
        return QCOW2Region(name: "bitmap directory", offset: offset, length: size)
    }

    private static func hex(_ value: UInt32) -> String { String(value, radix: 16) }
}
