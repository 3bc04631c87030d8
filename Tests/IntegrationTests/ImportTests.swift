import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryAPI
import RegistryDomain
import RegistryRuntime
import RegistryTesting
import ProjectorService
import Testing

/// Imports by download from a real HTTP file server on 127.0.0.1, by the
/// import workers of real ingest services: the bytes are checked as an
/// upload's are, a wrong digest, a bad image, a refusing server, too many
/// redirects and addresses the registry may not reach all fail with the
/// reason and store nothing, credentials are never shown, and a download
/// whose worker is killed with SIGKILL is resumed by another replica with
/// `Range` from the bytes the first made durable.
@Suite("Imports by download")
struct ImportTests {
    static let key = "integration-webhook-key-0123456789abcdef"

    static func allowingLoopback(_ settings: inout RegistrySettings) {
        settings.outbound.addressRules = try! OutboundAddressRules(parsing: "127.0.0.1/32")
        settings.outbound.webhookSeal = try! WebhookSecretSeal(keyText: key)
    }

    /// Waits until import `id` has ended, as its requester sees it.
    static func ended(_ id: String, on projector: some TestClientProtocol, token: String) async throws -> JSONAnswer {
        var answer: JSONAnswer?
        try await TestEnvironment.eventually(timeout: .seconds(120), "import \(id) ends") {
            let current = try await projector.call(.get, "/v1/imports/\(id)?wait=true", token: token)
            answer = current
            return ["done", "failed"].contains(current["status"] as? String)
        }
        return try #require(answer)
    }

    @Test("an import is checked as an upload is; failures say why and store nothing")
    func importsAndTheirFailures() async throws {
        let directory = try QemuImages.directory()
        let good = try QemuImages.make("good.qcow2", in: directory)
        let other = try QemuImages.make("other.qcow2", in: directory, pattern: 0x33)
        _ = try QemuImages.make("v2.qcow2", in: directory, options: "compat=0.10")
        let goodDigest = try QemuImages.sha256sum(good)
        let otherDigest = try QemuImages.sha256sum(other)
        let files = try await FileServer(serving: directory)
        defer { files.stop() }
        let guarded = try await FileServer(serving: directory, options: .init(credentials: "bob:s3cret-pw"))
        defer { guarded.stop() }
        let services = try await RegistryServices.fresh(configure: Self.allowingLoopback)
        let blobs = URL(fileURLWithPath: services.settings.blobDirectory)
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let eve = try await TestEnvironment.token("eve", GuaranteeTests.readWrite)

        try await services.run { ingest, projector in
            // Djinn CI's form: POST /v1/images with download_url.
            let queued = try await ingest.call(
                .post, "/v1/images", token: alice,
                json: #"{"name": "imported", "namespace": "team", "download_url": "\#(files.url("good.qcow2"))", "sha256": "\#(goodDigest)"}"#)
            #expect(queued.status == .accepted, "\(queued.body)")
            #expect(queued["status"] as? String == "queued")
            #expect(queued.string("event", "type") == "image-import-requested")
            let id = try #require(queued.string("id"))
            let done = try await Self.ended(id, on: projector, token: alice)
            #expect(done["status"] as? String == "done", "\(done.body)")
            #expect(done.string("image", "sha256") == goodDigest)
            #expect(done.string("image", "namespace") == "team@alice")
            let fileSize = try #require(try FileManager.default.attributesOfItem(atPath: good.path)[.size] as? Int)
            #expect(done["bytes"] as? Int == fileSize)
            let imageID = try #require(done.string("image", "id"))
            let image = try await projector.call(.get, "/v1/images/\(imageID)", token: alice)
            #expect(image.status == .ok)
            #expect(image["verified"] as? Bool == true)
            #expect(FileManager.default.fileExists(
                atPath: blobs.appendingPathComponent("sha256/\(goodDigest.prefix(2))/\(goodDigest)").path))
            // Another user does not learn the import exists.
            #expect(try await projector.call(.get, "/v1/imports/\(id)", token: eve).status == .notFound)
            let listed = try await projector.call(.get, "/v1/imports", token: alice)
            #expect((listed["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String }.contains(id) == true)

            // Basic auth from the URL: sent, sealed in the log, never shown.
            let secretURL = guarded.url("good.qcow2").replacingOccurrences(of: "http://", with: "http://bob:s3cret-pw@")
            let withCredentials = try await ingest.call(
                .post, "/v1/imports", token: alice, json: #"{"name": "private", "download_url": "\#(secretURL)"}"#)
            #expect(withCredentials.status == .accepted, "\(withCredentials.body)")
            #expect(withCredentials["has_credentials"] as? Bool == true)
            #expect(withCredentials["download_url"] as? String == guarded.url("good.qcow2"))
            let privateDone = try await Self.ended(
                try #require(withCredentials.string("id")), on: projector, token: alice)
            #expect(privateDone["status"] as? String == "done", "\(privateDone.body)")
            #expect(guarded.seen.last?.authorization == "Basic " + Data("bob:s3cret-pw".utf8).base64EncodedString())
            let admin = try await TestEnvironment.token("root", [.registryAdmin])
            let audit = try await projector.executeRequest(
                uri: "/v1/audit?limit=1000", method: .get, headers: [.authorization: "Bearer \(admin)"], body: nil)
            #expect(audit.status == .ok)
            #expect(String(buffer: audit.body).contains("image-import-requested"))
            #expect(!String(buffer: audit.body).contains("s3cret"))

            // Failures, each with its reason; nothing of theirs is stored.
            let failing: [(String, String, String)] = [
                (#""download_url": "\#(files.url("other.qcow2"))", "sha256": "\#(goodDigest)""#, "digest_mismatch", otherDigest),
                (#""download_url": "\#(files.url("v2.qcow2"))""#, "invalid_image", "version 2"),
                (#""download_url": "\#(files.url("missing.qcow2"))""#, "download_refused", "404"),
                (#""download_url": "http://127.0.0.1:\#(files.port)/redirect/6/good.qcow2""#, "too_many_redirects", "redirected"),
                (#""download_url": "http://127.0.0.1:\#(files.port)/away/http%3A%2F%2F169.254.169.254%2Flatest""#,
                 "forbidden_address", "169.254.169.254"),
                (#""download_url": "\#(guarded.url("good.qcow2"))""#, "download_refused", "401"),
            ]
            for (fields, code, words) in failing {
                let answer = try await ingest.call(.post, "/v1/imports", token: alice, json: #"{"name": "bad", \#(fields)}"#)
                #expect(answer.status == .accepted, "\(fields): \(answer.body)")
                let failed = try await Self.ended(try #require(answer.string("id")), on: projector, token: alice)
                #expect(failed["status"] as? String == "failed", "\(fields): \(failed.body)")
                #expect(failed.string("error", "code") == code, "\(fields): \(failed.body)")
                #expect(failed.string("error", "message")?.contains(words) == true, "\(fields): \(failed.body)")
            }
            #expect(!FileManager.default.fileExists(
                atPath: blobs.appendingPathComponent("sha256/\(otherDigest.prefix(2))/\(otherDigest)").path))
            let partials = (try? FileManager.default.contentsOfDirectory(atPath: blobs.appendingPathComponent("imports").path)) ?? []
            #expect(partials.isEmpty, "\(partials)")
            // No version named "bad" was made.
            let bad = try await projector.call(.get, "/v1/images?search=bad", token: alice)
            #expect((bad["items"] as? [Any])?.isEmpty == true, "\(bad.body)")

            // Redirects within the allowed addresses are followed.
            let redirected = try await ingest.call(
                .post, "/v1/imports", token: alice,
                json: #"{"name": "redirected", "download_url": "http://127.0.0.1:\#(files.port)/redirect/3/good.qcow2"}"#)
            let redirectDone = try await Self.ended(try #require(redirected.string("id")), on: projector, token: alice)
            #expect(redirectDone["status"] as? String == "done", "\(redirectDone.body)")

            // Refused before anything is recorded: addresses the registry may
            // not reach, URLs that are not http(s), scopes the caller may not write.
            for url in ["http://10.0.0.1/disk.qcow2", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/x",
                        "http://0x7f000002/x"] {
                let refused = try await ingest.call(
                    .post, "/v1/imports", token: alice, json: #"{"name": "x", "download_url": "\#(url)"}"#)
                #expect(refused.status == .unprocessableContent, "\(url): \(refused.body)")
                #expect(refused.errorCode == "forbidden_address", "\(url): \(refused.body)")
            }
            for url in ["ftp://127.0.0.1/x", "file:///etc/passwd", "http://127.0.0.1/x#part", "not a url"] {
                let refused = try await ingest.call(
                    .post, "/v1/imports", token: alice, json: #"{"name": "x", "download_url": "\#(url)"}"#)
                #expect(refused.status == .badRequest, "\(url): \(refused.body)")
            }
            let intoAnother = try await ingest.call(
                .post, "/v1/imports", token: eve,
                json: #"{"name": "x", "namespace": "team@alice", "download_url": "\#(files.url("good.qcow2"))"}"#)
            #expect(intoAnother.status == .notFound, "\(intoAnother.body)")
        }

        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        #expect(live.imports.count == 9)
        let replay = try await ReadModelSnapshot.cleanReplay(of: services.settings.topic, records: live.recordsSeen)
        #expect(replay == live, "a clean replay gives the same imports, images and audit trail")
    }

    @Test("a download whose worker is killed is resumed by another replica from its durable bytes")
    func resumeAfterKill() async throws {
        let directory = try QemuImages.directory()
        // A 256 MiB image (the disk's written data, and QCOW2's tables).
        let big = try QemuImages.make("big.qcow2", in: directory, size: "512M", written: "256M", pattern: 0x6B)
        let digest = try QemuImages.sha256sum(big)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: big.path)[.size] as? Int)
        let files = try await FileServer(serving: directory, options: .init(bytesPerSecond: 32 << 20))
        defer { files.stop() }
        let services = try await RegistryServices.fresh(configure: Self.allowingLoopback)
        let settings = services.settings
        let extra = ["IMAGE_REGISTRY_IMPORT_ALLOW": "127.0.0.1/32"]
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)

        let first = try ServiceProcess("image-ingest", settings: settings, extra: extra)
        defer { if first.isRunning { first.stop() } }
        let ingest = CurlClient(port: first.port)
        try await ingest.waitUntilReady(first)
        let projectorApp = try await buildProjectorApplication(settings: settings, logger: TestEnvironment.logger)
        try await projectorApp.test(.live) { projector in
            let queued = try await ingest.call(
                .post, "/v1/imports", token: alice,
                json: #"{"name": "big", "download_url": "\#(files.url("big.qcow2"))", "sha256": "\#(digest)"}"#)
            #expect(queued.status == .accepted, "\(queued.body)")
            let id = try #require(queued.string("id"))
            // Past the first checkpoint (64 MiB), while the download goes on.
            try await TestEnvironment.eventually(timeout: .seconds(120), "the download passes 80 MiB") {
                let current = try await projector.call(.get, "/v1/imports/\(id)", token: alice)
                return current["status"] as? String == "downloading" && (current["bytes"] as? Int ?? 0) > 80 << 20
            }
            first.kill()
            let second = try ServiceProcess("image-ingest", settings: settings, extra: extra)
            defer { second.stop() }
            let done = try await Self.ended(id, on: projector, token: alice)
            #expect(done["status"] as? String == "done", "\(done.body)")
            #expect(done.string("image", "sha256") == digest)
            #expect(done["bytes"] as? Int == size)
            #expect(done["attempts"] as? Int ?? 0 >= 2)
            let requests = files.seen
            #expect(requests.count >= 2)
            let resumed = try #require(requests.last)
            let offset = resumed.range.flatMap { Int($0.dropFirst("bytes=".count).dropLast()) } ?? 0
            #expect(offset >= 64 << 20, "the second worker asked for \(resumed.range ?? "everything")")
            #expect(resumed.ifRange != nil)
            // Resumed, not started again: far fewer than twice the file's bytes were sent.
            #expect(files.bytesSent < Int64(size) * 3 / 2, "\(files.bytesSent) bytes sent for a \(size)-byte file")
        }
    }
}
