import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryAuth
import RegistryHTTP
import RegistryTesting
import Testing

/// What a registration may point at: only bytes the registry has verified,
/// unless an administrator registers a location on trust, marked unverified.
@Suite("Registration trust")
struct RegistrationTrustTests {
    static let writer = UploadTests.writer
    static let administrator: [Scope] = [.imageRead, .imageWrite, .namespaceWrite, .registryAdmin]

    static func registration(_ name: String, sha256: String, size: Int, location: String? = nil) -> String {
        let locationField = location.map { #""location": "\#($0)", "# } ?? ""
        return #"{"name": "\#(name)", "driver": "qemu", \#(locationField)"sha256": "\#(sha256)", "size": \#(size)}"#
    }

    @Test("another tenant's blob, a wrong digest or size, or an unverified location are 422 and record nothing")
    func refusesWhatIsNotVerified() async throws {
        let images = try QemuImages.directory()
        let file = try QemuImages.make("secret.qcow2", in: images)
        let size = try Data(contentsOf: file).count
        let alice = try await TestEnvironment.token("alice", Self.writer)
        let mallory = try await TestEnvironment.token("mallory", Self.writer)
        let services = try await RegistryServices.fresh()
        try await services.run { ingest, projector in
            let uploaded = try await UploadTests.upload(file, name: "secret", to: ingest, token: alice, query: "&wait=true")
            #expect(uploaded.status == .created)
            #expect(uploaded["verified"] as? Bool == true, "an upload is verified")
            let digest = try #require(uploaded.string("sha256"))
            let location = try #require(uploaded.string("location"))

            for body in [
                Self.registration("stolen", sha256: digest, size: size, location: location),
                Self.registration("stolen", sha256: digest, size: size),
                Self.registration("stolen", sha256: String(repeating: "ab", count: 32), size: size),
            ] {
                let refused = try await ingest.call(.post, "/v1/images", token: mallory, json: body)
                #expect(refused.status == .unprocessableContent)
                #expect(refused.errorCode == "unknown_blob", "the same answer whether or not the blob exists")
            }
            let refusals: [(String, String)] = [
                (Self.registration("copy", sha256: digest, size: size + 1), "size_mismatch"),
                (Self.registration("copy", sha256: String(repeating: "cd", count: 32), size: size, location: location),
                 "digest_mismatch"),
                (Self.registration("copy", sha256: digest, size: size, location: "s3://bucket/copy.qcow2"),
                 "unverified_location"),
                (Self.registration("copy", sha256: digest, size: size, location: "file:///var/lib/djinn/images/x.qcow2"),
                 "unverified_location"),
            ]
            for (body, code) in refusals {
                let refused = try await ingest.call(.post, "/v1/images", token: alice, json: body)
                #expect(refused.status == .unprocessableContent, "\(code)")
                #expect(refused.errorCode == code)
            }

            let copy = try await ingest.call(
                .post, "/v1/images?wait=true", token: alice, json: Self.registration("copy", sha256: digest, size: size))
            #expect(copy.status == .created, "her own bytes, by digest")
            #expect(copy["verified"] as? Bool == true)
            #expect(copy.string("location") == location)

            let position = try #require(copy.headers[.registryPosition])
            let history = try await projector.call(
                .get, "/v1/audit?type=image-created", token: try await TestEnvironment.token("root", Self.administrator),
                headers: [.registryPosition: position])
            let actors = (history["items"] as? [[String: Any]] ?? []).compactMap { $0["actor"] as? String }
            #expect(actors == ["alice", "alice"], "no refused registration was recorded")
            let disk = try await projector.call(.get, "/v1/images/\(try #require(uploaded.string("id")))/disk", token: mallory)
            #expect(disk.status == .notFound)
        }
    }

    @Test("an administrator's file is read and checked; an s3:// location is recorded as unverified everywhere")
    func administratorRegistrations() async throws {
        let images = try QemuImages.directory()
        let file = try QemuImages.make("base.qcow2", in: images)
        let digest = try QemuImages.sha256sum(file)
        let size = try Data(contentsOf: file).count
        let root = try await TestEnvironment.token("root", Self.administrator)
        let scheduler = try await TestEnvironment.token("scheduler", [.imageResolve])
        let services = try await RegistryServices.fresh { $0.baseImagesDirectory = images.path }
        try await services.run { ingest, projector in
            let wrong = try await ingest.call(
                .post, "/v1/images", token: root,
                json: Self.registration("filed", sha256: String(repeating: "ef", count: 32), size: size,
                                        location: file.absoluteString))
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.errorCode == "digest_mismatch")
            let filed = try await ingest.call(
                .post, "/v1/images?wait=true", token: root,
                json: Self.registration("filed", sha256: digest, size: size, location: file.absoluteString))
            #expect(filed.status == .created)
            #expect(filed["verified"] as? Bool == true)

            let external = try await ingest.call(
                .post, "/v1/images?wait=true", token: root,
                json: Self.registration("external", sha256: digest, size: size, location: "s3://images/external.qcow2"))
            #expect(external.status == .created)
            #expect(external["verified"] as? Bool == false)
            let resolved = try await projector.call(
                .get, "/v1/resolve?driver=qemu&image=external&user=root", token: scheduler)
            #expect(resolved.status == .ok)
            #expect(resolved["verified"] as? Bool == false)
            let recorded = try await ingest.call(
                .post, "/v1/resolutions", token: scheduler,
                json: #"{"build_id": "7", "user": "root", "driver": "qemu", "image": "external"}"#)
            let position = try #require(recorded.headers[.registryPosition])
            let audit = try await projector.call(
                .get, "/v1/audit?build=7", token: root, headers: [.registryPosition: position])
            let entry = try #require((audit["items"] as? [[String: Any]])?.first)
            let resolution = ((entry["data"] as? [String: Any])?["resolution"] as? [String: Any])
            #expect(resolution?["verified"] as? Bool == false, "the audit trail says the build booted unverified bytes")
        }
    }

    @Test("an upload answered 504 keeps its file: the recorded image resolves and downloads")
    func acknowledgedUploadKeepsItsFile() async throws {
        let images = try QemuImages.directory()
        let file = try QemuImages.make("late.qcow2", in: images)
        let alice = try await TestEnvironment.token("alice", Self.writer)
        let services = try await RegistryServices.fresh { $0.waitTimeout = .milliseconds(1) }
        try await services.run { ingest, projector in
            let answer = try await UploadTests.upload(file, name: "late", to: ingest, token: alice, query: "&wait=true")
            #expect(answer.status == .gatewayTimeout, "the projection cannot catch up within 1 ms")
            var listed: [[String: Any]] = []
            try await TestEnvironment.eventually(timeout: .seconds(30), "the image is projected") {
                listed = try await projector.call(.get, "/v1/images", token: alice)["items"] as? [[String: Any]] ?? []
                return !listed.isEmpty
            }
            let id = try #require(listed.first?["id"] as? String)
            let disk = try await projector.executeRequest(
                uri: "/v1/images/\(id)/disk", method: .get, headers: [.authorization: "Bearer \(alice)"], body: nil)
            #expect(disk.status == .ok)
            #expect(Data(buffer: disk.body) == (try Data(contentsOf: file)))
        }
    }
}

/// Blobs no image names are found and removed by an operator command,
/// never by request handlers, and only past their grace period.
