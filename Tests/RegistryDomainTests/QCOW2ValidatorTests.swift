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
    ]

    @Test("field sanity", arguments: insaneFields)
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
}
