import Foundation
import Testing
@testable import RegistryDomain

/// Headers made by `qemu-img create` (the first 4 KiB of each file, committed
/// under Fixtures/), and mutations of them.
@Suite("QCOW2 header validation")
struct QCOW2ValidatorTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "header"))
        return Array(try Data(contentsOf: url))
    }

    static func mutated(_ change: (inout [UInt8]) -> Void) throws -> [UInt8] {
        var bytes = try fixture("v3")
        change(&bytes)
        return bytes
    }

    static func put(_ value: UInt64, bytes count: Int, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<count {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * (count - 1 - index)))
        }
    }

    let validator = QCOW2Validator()

    @Test("a qemu-img compat=1.1 image is accepted, with its fields read")
    func acceptsVersion3() throws {
        let header = try validator.validateHeader(try Self.fixture("v3"))
        #expect(header.version == 3)
        #expect(header.virtualSize == 10 << 30)
        #expect(header.clusterSize == 65536)
        #expect(header.backingFileOffset == 0)
        try validator.validateLength(header, fileSize: 196_768)
    }

    @Test("2 MiB clusters are accepted")
    func acceptsLargeClusters() throws {
        #expect(try validator.validateHeader(try Self.fixture("big-cluster")).clusterBits == 21)
    }

    func rejection(_ bytes: [UInt8]) -> String? {
        do {
            _ = try validator.validateHeader(bytes)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("version 2 is refused, saying version 3 is required")
    func refusesVersion2() throws {
        #expect(rejection(try Self.fixture("v2"))?.contains("version 3 is required") == true)
    }

    @Test("a backing file is refused, however it is declared")
    func refusesBackingFile() throws {
        #expect(rejection(try Self.fixture("backing"))?.contains("backing file") == true)
        let sizeOnly = try Self.mutated { Self.put(16, bytes: 4, at: 16, in: &$0) }
        #expect(rejection(sizeOnly)?.contains("backing file") == true)
    }

    @Test("an external data file is refused")
    func refusesDataFile() throws {
        #expect(rejection(try Self.fixture("datafile"))?.contains("external data file") == true)
    }

    @Test("not QCOW2 at all, or cut short", arguments: [
        (Array("just some text, not a disk".utf8), "magic"),
        ([UInt8](repeating: 0, count: 4096), "magic"),
        ([0x51, 0x46, 0x49, 0xFB, 0, 0], "truncated"),
        ([], "magic"),
    ])
    func refusesGarbage(_ bytes: [UInt8], _ mentions: String) {
        #expect(rejection(bytes)?.contains(mentions) == true)
    }

    @Test("a header cut inside the fixed fields or the extensions is truncated")
    func refusesTruncatedHeader() throws {
        let v3 = try Self.fixture("v3")
        #expect(rejection(Array(v3.prefix(60)))?.contains("truncated") == true)
        #expect(rejection(Array(v3.prefix(120)))?.contains("truncated") == true)
    }

    @Test("random bytes are refused", arguments: 0..<20)
    func refusesRandom(_ seed: Int) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<512).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(rejection(bytes) != nil)
    }

    /// One header field set to an insane value: (what, offset, width, value, expected words).
    static let insaneFields: [(String, Int, Int, UInt64, String)] = [
        ("cluster bits 8", 20, 4, 8, "cluster bits"),
        ("cluster bits 22", 20, 4, 22, "cluster bits"),
        ("zero virtual size", 24, 8, 0, "virtual size"),
        ("huge virtual size", 24, 8, 1 << 60, "virtual size"),
        ("encrypted", 32, 4, 1, "encrypted"),
        ("dirty", 72, 8, 1, "dirty"),
        ("corrupt", 72, 8, 2, "corrupt"),
        ("unknown feature", 72, 8, 1 << 40, "features"),
        ("odd header length", 100, 4, 105, "header length"),
        ("unaligned refcount table", 48, 8, 65537, "aligned"),
        ("L1 too small", 36, 4, 1, "L1"),
        // QEMU refuses these too, or they would make the registry trust a wrong layout.
        ("refcount order 7", 96, 4, 7, "refcount order"),
        ("refcount order 2^32-1", 96, 4, 0xFFFF_FFFF, "refcount order"),
        ("compression type bit without zstd", 72, 8, 1 << 3, "compression type"),
        ("raw external data without a data file", 88, 8, 1 << 1, "raw external data"),
        ("512 B clusters, which need a far larger L1 table", 20, 4, 9, "L1"),
        ("L1 table at offset 0", 40, 8, 0, "L1 table offset"),
        ("L1 table near 2^64", 40, 8, 0xFFFF_FFFF_FFFF_0000, "beyond any possible file size"),
        ("refcount table near 2^64", 48, 8, 0xFFFF_FFFF_FFFF_0000, "beyond any possible file size"),
        ("refcount table at offset 0", 48, 8, 0, "refcount table offset"),
        ("refcount table of zero clusters", 56, 4, 0, "refcount table size"),
        ("huge refcount table", 56, 4, 0xFFFF_FFFF, "refcount table size"),
        ("huge L1 table", 36, 4, 0xFFFF_FFFF, "L1 table is too large"),
        ("65,537 snapshots", 60, 4, 65_537, "snapshots"),
        ("L1 table overlapping the refcount table", 40, 8, 0x10000, "overlaps"),
    ]

    @Test("field sanity, as QEMU checks it; no value can trap", arguments: insaneFields)
    func refusesInsaneFields(_ name: String, _ offset: Int, _ width: Int, _ value: UInt64, _ mentions: String) throws {
        let message = rejection(try Self.mutated { Self.put(value, bytes: width, at: offset, in: &$0) })
        #expect(message?.contains(mentions) == true, "\(name): \(message ?? "accepted")")
    }

    @Test("a file shorter than its tables is truncated")
    func refusesShortFile() throws {
        let header = try validator.validateHeader(try Self.fixture("v3"))
        #expect(throws: QCOW2ValidationError.self) { try validator.validateLength(header, fileSize: 4096) }
    }

    @Test("the virtual size bound is configurable")
    func configurableBound() throws {
        let small = QCOW2Validator(maximumVirtualSize: 1 << 30)
        #expect(throws: QCOW2ValidationError.self) { try small.validateHeader(try Self.fixture("v3")) }
    }

    @Test("a compression type other than zlib and zstd is refused, and zstd needs its feature bit")
    func refusesUnknownCompression() throws {
        let header = try validator.validateHeader(try Self.fixture("v3"))
        #expect(header.headerLength >= 112, "the fixture has room for the compression type byte")
        #expect(rejection(try Self.mutated { $0[104] = 2 })?.contains("unknown compression type 2") == true)
        #expect(rejection(try Self.mutated { $0[104] = 1 })?.contains("bit is not set") == true)
        let zstd = try Self.mutated {
            $0[104] = 1
            Self.put(1 << 3, bytes: 8, at: 72, in: &$0)
        }
        #expect(try validator.validateHeader(zstd).compressionType == 1)
    }

    @Test("a snapshot table at offset 0 or unaligned is refused")
    func refusesSnapshotTableOffsets() throws {
        let atZero = try Self.mutated { Self.put(1, bytes: 4, at: 60, in: &$0) }
        #expect(rejection(atZero)?.contains("snapshot table offset 0") == true)
        let unaligned = try Self.mutated {
            Self.put(1, bytes: 4, at: 60, in: &$0)
            Self.put(0x30001, bytes: 8, at: 64, in: &$0)
        }
        #expect(rejection(unaligned)?.contains("snapshot table") == true)
    }

    /// The offset where the fixture's extensions end (its end marker).
    func endMarkerOffset(_ bytes: [UInt8]) throws -> Int {
        let header = try validator.validateHeader(bytes)
        return header.extensions.last.map { $0.offset + ($0.length + 7) / 8 * 8 } ?? Int(header.headerLength)
    }

    @Test("extensions: crypto, data file and backing format are refused; lengths are bounded; an end marker is required")
    func checksExtensions() throws {
        let v3 = try Self.fixture("v3")
        let end = try endMarkerOffset(v3)
        func withExtension(_ type: UInt32, length: UInt32) -> [UInt8] {
            var bytes = v3
            Self.put(UInt64(type), bytes: 4, at: end, in: &bytes)
            Self.put(UInt64(length), bytes: 4, at: end + 4, in: &bytes)
            for index in 0..<Int(min(length, 64)) + 8 { bytes[end + 8 + index] = 0 }
            return bytes
        }
        #expect(rejection(withExtension(0x0537_BE77, length: 16))?.contains("encryption header") == true)
        #expect(rejection(withExtension(0x4441_5441, length: 8))?.contains("external data file") == true)
        #expect(rejection(withExtension(0xE279_2ACA, length: 8))?.contains("backing file format") == true)
        #expect(rejection(withExtension(0x1234_5678, length: 0xFFFF_FFFF))?.contains("runs past the first cluster") == true)
        #expect(try validator.validateHeader(withExtension(0x1234_5678, length: 8)).extensionTypes.contains(0x1234_5678))
        var noEndMarker = v3 + [UInt8](repeating: 0, count: 65536 - v3.count)
        for offset in stride(from: end, through: 65536 - 8, by: 8) {
            Self.put(0x1234_5678, bytes: 4, at: offset, in: &noEndMarker)
        }
        #expect(rejection(noEndMarker)?.contains("no end marker") == true)
    }

    @Test("polyglots: bytes another format's probe recognises are refused", arguments: [
        (510, [0x55, 0xAA] as [UInt8], "MBR"),
        (512, Array("EFI PART".utf8), "GPT"),
        (0x8001, Array("CD001".utf8), "ISO 9660"),
        (0x8801, Array("NSR02".utf8), "UDF"),
        (0x40, [0x7F, 0x10, 0xDA, 0xBE], "VDI"),
    ])
    func refusesPolyglots(_ offset: Int, _ signature: [UInt8], _ format: String) throws {
        var bytes = try Self.fixture("v3") + [UInt8](repeating: 0, count: 0x10000)
        bytes.replaceSubrange(offset..<offset + signature.count, with: signature)
        let message = rejection(bytes)
        #expect(message?.contains("polyglot") == true, "\(format): \(message ?? "accepted")")
    }

    @Test("a VHD footer at the end of the file is refused")
    func refusesVHDFooter() throws {
        #expect(throws: QCOW2ValidationError.self) {
            try validator.validateTrailer(Array("conectix".utf8) + [UInt8](repeating: 0, count: 504))
        }
        try validator.validateTrailer([UInt8](repeating: 0, count: 512))
    }

    @Test("validateLength never traps, whatever the header says", arguments: [
        UInt64.max, UInt64(Int64.max), 1 << 63, 0xFFFF_FFFF_FFFF_0000,
    ])
    func lengthCheckCannotTrap(_ offset: UInt64) throws {
        var header = try validator.validateHeader(try Self.fixture("v3"))
        header.refcountTableOffset = offset
        #expect(throws: QCOW2ValidationError.self) { try validator.validateLength(header, fileSize: .max) }
        header = try validator.validateHeader(try Self.fixture("v3"))
        header.l1TableOffset = offset
        header.l1Size = .max
        #expect(throws: QCOW2ValidationError.self) { try validator.validateLength(header, fileSize: .max) }
    }
}
