import BlobStore
import Foundation
import NIOCore
import RegistryDomain
import Testing

/// The blob store against the real file system.
@Suite("Blob store")
struct BlobStoreTests {
    struct Disconnected: Error {}

    static func chunks(of data: Data, size: Int = 65536, failingAfter limit: Int? = nil) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            var offset = 0
            while offset < data.count {
                if let limit, offset >= limit {
                    continuation.finish(throwing: Disconnected())
                    return
                }
                continuation.yield(ByteBuffer(bytes: data[offset..<min(offset + size, data.count)]))
                offset += size
            }
            continuation.finish()
        }
    }

    static func files(below root: String) -> [String] {
        (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + $0, isDirectory: &isDirectory)
            return !isDirectory.boolValue
        }
    }

    @Test("a client that disconnects mid-upload leaves no file")
    func disconnect() async throws {
        let directory = try QemuImages.directory()
        let image = try Data(contentsOf: try QemuImages.make("disk.qcow2", in: directory, written: "4M"))
        let store = FileBlobStore(root: directory.appendingPathComponent("blobs").path, maximumSize: 1 << 30, validator: QCOW2Validator(), wholeImageCheck: QemuImageCheck())
        await #expect(throws: Disconnected.self) { try await store.store(Self.chunks(of: image, failingAfter: image.count / 2)) }
        #expect(Self.files(below: store.root.string).isEmpty)
    }

    @Test("a body that grows past the limit while streaming is refused and leaves no file")
    func streamingLimit() async throws {
        let directory = try QemuImages.directory()
        let image = try Data(contentsOf: try QemuImages.make("disk.qcow2", in: directory, written: "4M"))
        let store = FileBlobStore(root: directory.appendingPathComponent("blobs").path, maximumSize: 3 << 20, validator: QCOW2Validator(), wholeImageCheck: QemuImageCheck())
        await #expect(throws: UploadRejection.tooLarge(limit: 3 << 20)) { try await store.store(Self.chunks(of: image)) }
        #expect(Self.files(below: store.root.string).isEmpty)
    }

    @Test("concurrent uploads of the same bytes store one file")
    func concurrentSameBytes() async throws {
        let directory = try QemuImages.directory()
        let image = try Data(contentsOf: try QemuImages.make("disk.qcow2", in: directory))
        let store = FileBlobStore(root: directory.appendingPathComponent("blobs").path, maximumSize: 1 << 30, validator: QCOW2Validator(), wholeImageCheck: QemuImageCheck())
        let blobs = try await withThrowingTaskGroup(of: StoredBlob.self) { group in
            for _ in 0..<4 { group.addTask { try await store.store(Self.chunks(of: image, size: 8192)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(blobs.map(\.location)).count == 1)
        #expect(blobs.filter(\.newlyStored).count == 1)
        #expect(Self.files(below: store.root.string).count == 1)
    }
}
