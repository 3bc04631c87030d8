@testable import BlobStore
import Foundation
import NIOCore
import Testing

/// An upload's file, written around the page cache where the file system
/// allows it and buffered where it does not, holds exactly the bytes sent.
@Suite("Blob files")
struct BlobFileTests {
    /// Lengths around the block size and the direct-write alignment.
    static let lengths = [
        0, 1, 4095, 4096, 65537, BlobFileWriter.blockSize, BlobFileWriter.blockSize + 1,
        BlobFileWriter.blockSize * 2 + 12345,
    ]

    static func write(_ bytes: [UInt8], chunk: Int, to path: String, bypassingCache: Bool) async throws -> Bool {
        let file = try await BlobFile.create(at: path, bypassingCache: bypassingCache)
        let direct = file.writesDirectly
        var writer = BlobFileWriter(file: file)
        var offset = 0
        while offset < bytes.count {
            try await writer.write(ByteBuffer(bytes: bytes[offset..<min(offset + chunk, bytes.count)]))
            offset += chunk
        }
        try await writer.finish()
        try await file.synchronize()
        try await file.close()
        try await file.close()
        return direct
    }

    static func check(in directory: URL, bypassingCache: Bool) async throws -> [Bool] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        defer { try? random.close() }
        var direct: [Bool] = []
        for (index, length) in lengths.enumerated() {
            let bytes = [UInt8](random.readData(ofLength: length))
            let path = directory.appendingPathComponent("\(index).part").path
            direct.append(try await write(
                bytes, chunk: index.isMultiple(of: 2) ? 65536 : 1000, to: path, bypassingCache: bypassingCache))
            let stored = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(stored == Data(bytes), "\(length) bytes in \(directory.path)")
        }
        return direct
    }

    @Test("buffered writes: every byte arrives, whatever the length")
    func buffered() async throws {
        let directory = try QemuImages.directory().appendingPathComponent("buffered")
        let direct = try await Self.check(in: directory, bypassingCache: false)
        #expect(direct.allSatisfy { !$0 })
    }

    @Test("direct writes where the file system allows them (ext4 and tmpfs do): every byte arrives, the unaligned end too")
    func direct() async throws {
        for directory in [try QemuImages.directory().appendingPathComponent("direct"),
                          URL(fileURLWithPath: "/dev/shm/blob-file-\(UUID().uuidString)")] {
            _ = try await Self.check(in: directory, bypassingCache: true)
        }
    }

    @Test("a file that exists already is not overwritten")
    func existing() async throws {
        let directory = try QemuImages.directory()
        let path = directory.appendingPathComponent("taken.part").path
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        await #expect(throws: BlobFileError.self) { try await BlobFile.create(at: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([1, 2, 3]))
    }
}
