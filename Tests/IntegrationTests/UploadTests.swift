import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RegistryAuth
import RegistryHTTP
import RegistryRuntime
import RegistryTesting
import Testing

/// Streaming QCOW2 uploads, validation, content-addressed storage and download.
@Suite("Uploads and downloads")
struct UploadTests {
    static let writer: [Scope] = [.imageRead, .imageWrite, .namespaceWrite]

    static func upload(
        _ file: URL, name: String, to ingest: any TestClientProtocol, token: String,
        contentType: String = "application/x-qemu-disk", query: String = ""
    ) async throws -> JSONAnswer {
        try await ingest.upload(file, "/v1/images?name=\(name)\(query)", token: token, contentType: contentType)
    }

    /// Every regular file below the blob store.
    static func storedFiles(_ settings: RegistrySettings) -> [String] {
        let root = URL(fileURLWithPath: settings.blobDirectory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        return walker.compactMap { ($0 as? URL).flatMap { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true ? $0.path : nil } }
    }

    @Test("a qemu-img image is stored under its SHA-256, once, and downloads byte for byte, also by range")
    func uploadAndDownload() async throws {
        let images = try QemuImages.directory()
        let file = try QemuImages.make("disk.qcow2", in: images)
        let expected = try QemuImages.sha256sum(file)
        let bytes = try Data(contentsOf: file)
        let alice = try await TestEnvironment.token("alice", Self.writer)
        let services = try await RegistryServices.fresh()
        try await services.run { ingest, projector in
            let uploaded = try await Self.upload(file, name: "disk", to: ingest, token: alice, query: "&namespace=team&wait=true")
            #expect(uploaded.status == .created)
            #expect(uploaded.string("sha256") == expected)
            #expect(uploaded["size"] as? Int == bytes.count)
            #expect(uploaded["verified"] as? Bool == true, "the registry checked the bytes itself")
            let location = try #require(uploaded.string("location"))
            #expect(location.hasSuffix("/sha256/\(expected.prefix(2))/\(expected)"))
            #expect(try QemuImages.sha256sum(try #require(URL(string: location))) == expected)

            let again = try await Self.upload(file, name: "copy", to: ingest, token: alice, query: "&wait=true")
            #expect(again.string("location") == location, "the same bytes are stored once")
            #expect(Self.storedFiles(services.settings).count == 1)

            let id = try #require(uploaded.string("id"))
            let whole = try await projector.executeRequest(
                uri: "/v1/images/\(id)/disk", method: .get, headers: [.authorization: "Bearer \(alice)"], body: nil)
            #expect(whole.status == .ok)
            #expect(whole.headers[.contentType] == "application/x-qemu-disk")
            #expect(Data(buffer: whole.body) == bytes)

            let part = try await projector.executeRequest(
                uri: "/v1/images/\(id)/disk", method: .get,
                headers: [.authorization: "Bearer \(alice)", .range: "bytes=100-4195"], body: nil)
            #expect(part.status == .partialContent)
            #expect(part.headers[.contentRange] == "bytes 100-4195/\(bytes.count)")
            #expect(Data(buffer: part.body) == bytes[100...4195])

            let outside = try await projector.executeRequest(
                uri: "/v1/images/\(id)/disk", method: .get,
                headers: [.authorization: "Bearer \(alice)", .range: "bytes=\(bytes.count)-"], body: nil)
            #expect(outside.status == .rangeNotSatisfiable)

            let mallory = try await TestEnvironment.token("mallory", [.imageRead])
            let hidden = try await projector.executeRequest(
                uri: "/v1/images/\(id)/disk", method: .get, headers: [.authorization: "Bearer \(mallory)"], body: nil)
            #expect(hidden.status == .notFound, "a private image is not downloadable by id")
        }
    }

    @Test("v2, backing-file, data-file, truncated and random uploads are 422 and leave nothing behind")
    func rejectedUploads() async throws {
        let images = try QemuImages.directory()
        let v3 = try QemuImages.make("v3.qcow2", in: images)
        let truncated = images.appendingPathComponent("truncated.qcow2")
        try Data(try Data(contentsOf: v3).prefix(100_000)).write(to: truncated)
        let random = images.appendingPathComponent("random.bin")
        try Data((0..<300_000).map { _ in UInt8.random(in: 0...255) }).write(to: random)
        let tooShortHeader = images.appendingPathComponent("short.qcow2")
        try Data(try Data(contentsOf: v3).prefix(50)).write(to: tooShortHeader)
        let cases: [(URL, String)] = [
            (try QemuImages.make("v2.qcow2", in: images, options: "compat=0.10"), "version 3 is required"),
            (try QemuImages.make("backing.qcow2", in: images, options: "compat=1.1,backing_file=/etc/passwd,backing_fmt=raw", written: nil), "backing file"),
            (try QemuImages.make("datafile.qcow2", in: images, options: "compat=1.1,data_file=\(images.path)/data.raw", written: nil), "external data file"),
            (truncated, "truncated"),
            (tooShortHeader, "truncated"),
            (random, "magic"),
        ]
        let alice = try await TestEnvironment.token("alice", Self.writer)
        let services = try await RegistryServices.fresh()
        try await services.run { ingest, projector in
            for (file, mentions) in cases {
                let answer = try await Self.upload(file, name: "bad", to: ingest, token: alice)
                #expect(answer.status == .unprocessableContent, "\(file.lastPathComponent)")
                #expect(answer.errorCode == "invalid_image")
                #expect(answer.errorMessage?.contains(mentions) == true, "\(file.lastPathComponent): \(answer.errorMessage ?? "")")
                #expect(answer.headers[.registryPosition] == nil)
            }
            let wrongType = try await Self.upload(v3, name: "bad", to: ingest, token: alice, contentType: "application/octet-stream")
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(Self.storedFiles(services.settings).isEmpty, "no file is left behind")
            let admin = try await TestEnvironment.token("root", [.registryAdmin])
            let sentinel = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "sentinel"}"#)
            #expect(sentinel.status == .created)
            let audit = try await projector.call(.get, "/v1/audit", token: admin)
            #expect((audit["items"] as? [Any])?.count == 1, "no event was recorded for any rejected upload")
        }
    }

    @Test("past the size limit is 413 and stores nothing")
    func sizeLimit() async throws {
        let images = try QemuImages.directory()
        let file = try QemuImages.make("big.qcow2", in: images, written: "2M")
        let alice = try await TestEnvironment.token("alice", Self.writer)
        let services = try await RegistryServices.fresh { $0.maximumUploadBytes = 1 << 20 }
        try await services.run { ingest, _ in
            let answer = try await Self.upload(file, name: "big", to: ingest, token: alice)
            #expect(answer.status == .contentTooLarge)
            #expect(answer.errorMessage?.contains("\(1 << 20)") == true)
            #expect(Self.storedFiles(services.settings).isEmpty)
        }
    }
}
