import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryDomain
import RegistryHTTP
import RegistryTesting
import Testing

/// `image-ingest gc` against PostgreSQL, the broker and a real blob store:
/// what goes, what stays, and that a crash mid-run leaves nothing broken.
@Suite("Blob garbage collection")
struct BlobCollectionTests {
    static func age(_ path: String, hours: Double = 30) throws {
        let past = Date().addingTimeInterval(-hours * 3600)
        try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: path)
    }

    static func write(_ path: URL, _ text: String = "left behind", age hours: Double? = 30) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: path)
        if let hours { try age(path.path, hours: hours) }
    }

    static func blobPath(_ root: URL, _ hex: String) -> URL {
        root.appendingPathComponent("sha256/\(hex.prefix(2))/\(hex)")
    }

    static func gc(_ arguments: [String] = [], _ services: RegistryServices) async throws -> [String] {
        let run = try await ServiceProcess.command("image-ingest", ["gc"] + arguments, settings: services.settings)
        try #require(run.status == 0, "image-ingest gc \(arguments): \(run.output)")
        return run.output.split(separator: "\n").map(String.init)
    }

    @Test("a dry run lists exactly what the run removes: blobs no live version names, ended sessions' and imports' parts, stale uploads; a blob two versions share stays until both are gone; young and unknown files stay")
    func collectsExactlyTheUnneeded() async throws {
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let services = try await RegistryServices.fresh()
        let root = URL(fileURLWithPath: services.settings.blobDirectory)
        let orphanHex = String(repeating: "0f", count: 32)
        let youngHex = String(repeating: "1e", count: 32)
        let endedImport = root.appendingPathComponent("imports/\(UUID().uuidString.lowercased()).part")
        let endedSession = root.appendingPathComponent("uploads/\(UUID().uuidString.lowercased()).part")
        let staleUpload = root.appendingPathComponent("tmp/\(UUID().uuidString).part")
        let unknown = root.appendingPathComponent("sha256/zz/notes.txt")
        let (shared, solo) = try await services.run { ingest, _ in
            let shared = try await HeldImages.upload(0xB1, to: ingest, token: alice, name: "shared")
            let solo = try await HeldImages.upload(0xB2, to: ingest, token: alice, name: "solo")
            let copy = try await ingest.call(
                .post, "/v1/images?wait=true", token: alice,
                json: #"{"name": "copy", "driver": "qemu", "sha256": "\#(shared.image.sha256)", "size": \#(shared.image.size)}"#)
            try #require(copy.status == .created, "\(copy.body)")
            for stored in UploadTests.storedFiles(services.settings) where stored.contains("/sha256/") {
                try Self.age(stored)
            }
            try Self.write(Self.blobPath(root, orphanHex))
            try Self.write(Self.blobPath(root, youngHex), age: nil)
            for file in [endedImport, endedSession, staleUpload, unknown] { try Self.write(file) }
            #expect(try await ingest.call(.delete, "/v1/images/\(solo.id)?wait=true", token: alice).status == .ok)
            #expect(try await ingest.call(.delete, "/v1/images/\(shared.id)?wait=true", token: alice).status == .ok)
            return (shared, solo)
        }
        let (sharedHex, soloHex) = (shared.image.sha256, solo.image.sha256)

        let preview = try await Self.gc(["--dry-run"], services)
        let wouldGo = Set(preview.filter { $0.hasPrefix("would remove ") }.map { String($0.split(separator: " ")[2]) })
        let expected: Set<String> = [
            Self.blobPath(root, orphanHex).path, Self.blobPath(root, soloHex).path, endedImport.path, endedSession.path,
            staleUpload.path,
        ]
        #expect(wouldGo == expected)
        #expect(FileManager.default.fileExists(atPath: Self.blobPath(root, soloHex).path), "a dry run removes nothing")

        let run = try await Self.gc([], services)
        let removed = Set(run.filter { $0.hasPrefix("removed ") }.map { String($0.split(separator: " ")[1]) })
        #expect(removed == wouldGo, "the run removes what the dry run listed")
        for path in expected { #expect(!FileManager.default.fileExists(atPath: path), "\(path)") }
        for kept in [Self.blobPath(root, sharedHex), Self.blobPath(root, youngHex), unknown] {
            #expect(FileManager.default.fileExists(atPath: kept.path), "\(kept.path) stays")
        }
        #expect(run.last?.contains("5 removed") == true, "\(run.last ?? "")")

        // The second version naming the shared bytes goes: so do they.
        try await services.run { ingest, projector in
            let copy = try await projector.call(.get, "/v1/images?search=copy", token: alice)
            let id = try #require((copy["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await ingest.call(.delete, "/v1/images/\(id)?wait=true", token: alice).status == .ok)
        }
        let last = try await Self.gc([], services)
        #expect(last.contains { $0.hasPrefix("removed \(Self.blobPath(root, sharedHex).path) ") }, "\(last)")
        #expect(!FileManager.default.fileExists(atPath: Self.blobPath(root, sharedHex).path))
    }

    @Test("SIGKILL mid-run, then a rerun: every unneeded blob goes, every needed one stays in place, nothing is left set aside")
    func survivesSIGKILL() async throws {
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let services = try await RegistryServices.fresh()
        let root = URL(fileURLWithPath: services.settings.blobDirectory)
        let kept = try await services.run { ingest, _ in
            try await HeldImages.upload(0xB3, to: ingest, token: alice, name: "kept")
        }
        let keptPath = Self.blobPath(root, kept.image.sha256)
        try Self.age(keptPath.path)
        let orphans = (0..<20_000).map { index in
            Self.blobPath(root, SHA256Digest(SHA256.hash(data: Array("orphan \(index)".utf8))).hex)
        }
        for orphan in orphans { try Self.write(orphan, String(repeating: "x", count: 64)) }

        let first = try ServiceProcess("image-ingest", settings: services.settings, arguments: ["gc"], output: Pipe())
        let aside = root.appendingPathComponent("gc")
        // Kill it once it has begun removing (its first removal makes gc/),
        // long before it can have removed 20,000 blobs.
        let deadline = ContinuousClock.now + .seconds(60)
        while first.isRunning, !FileManager.default.fileExists(atPath: aside.path), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        try await Task.sleep(for: .milliseconds(20))
        let wasRunning = first.isRunning
        first.kill()
        let leftAfterKill = orphans.filter { FileManager.default.fileExists(atPath: $0.path) }.count
        #expect(wasRunning && leftAfterKill > 0, "the run was stopped midway (\(leftAfterKill) orphans left)")
        #expect(FileManager.default.fileExists(atPath: keptPath.path))

        _ = try await Self.gc([], services)
        #expect(orphans.allSatisfy { !FileManager.default.fileExists(atPath: $0.path) })
        #expect(FileManager.default.fileExists(atPath: keptPath.path), "the needed blob is in place")
        let setAside = (try? FileManager.default.contentsOfDirectory(atPath: aside.path)) ?? []
        #expect(setAside.isEmpty, "nothing is left set aside: \(setAside)")
        // The image still downloads whole.
        try await services.run { _, projector in
            let disk = try await projector.executeRequest(
                uri: "/v1/images/\(kept.id)/disk", method: .get, headers: [.authorization: "Bearer \(alice)"], body: nil)
            #expect(disk.status == .ok)
            #expect(SHA256Digest(SHA256.hash(data: Array(disk.body.readableBytesView))).hex == kept.image.sha256)
        }
    }

    @Test("an upload of bytes already stored, acknowledged while its old blob looked unneeded, keeps them")
    func reusedBytesSurvive() async throws {
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let services = try await RegistryServices.fresh()
        let root = URL(fileURLWithPath: services.settings.blobDirectory)
        try await services.run { ingest, projector in
            let first = try await HeldImages.upload(0xB4, to: ingest, token: alice, name: "again")
            #expect(try await ingest.call(.delete, "/v1/images/\(first.id)?wait=true", token: alice).status == .ok)
            let path = Self.blobPath(root, first.image.sha256)
            try Self.age(path.path)
            // The same bytes again: the store finds them and refreshes their time.
            let second = try await HeldImages.upload(0xB4, to: ingest, token: alice, name: "again")
            #expect(second.id != first.id)
            let modified = try FileManager.default.attributesOfItem(atPath: path.path)[.modificationDate] as? Date
            #expect(modified.map { Date().timeIntervalSince($0) < 600 } == true,
                    "the store refreshed the blob's time, so collection spares it until the version is projected")
            _ = try await Self.gc([], services)
            #expect(FileManager.default.fileExists(atPath: path.path), "the new version's bytes stay")
            let disk = try await projector.executeRequest(
                uri: "/v1/images/\(second.id)/disk", method: .head, headers: [.authorization: "Bearer \(alice)"], body: nil)
            #expect(disk.status == .ok)
        }
    }
}
