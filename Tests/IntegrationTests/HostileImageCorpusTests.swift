import Foundation
import HTTPTypes
import RegistryHTTP
import RegistryTesting
import Testing

/// Every file of the hostile-image corpus (`Tests/HostileImages`, built from
/// real `qemu-img` images) uploaded to two real `image-ingest` processes:
/// each gets its expected verdict, a refused file leaves no stored file and
/// no event, and both services are alive afterwards.
@Suite("Hostile-image corpus", .serialized)
struct HostileImageCorpusTests {
    struct Entry: Decodable {
        let file: String
        let expect: String
        let reason: String
        let message: String?
    }

    static var corpusScript: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("HostileImages/build_corpus.py")
    }

    /// A name the registry accepts for the file `name`.
    static func imageName(_ file: String) -> String {
        String(file.replacingOccurrences(of: ".qcow2", with: "").map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    @Test("every file gets its verdict; refusals store and record nothing; no upload stops a service")
    func corpus() async throws {
        let directory = try QemuImages.directory()
        // Built off the concurrency pool: the script takes seconds.
        _ = try await QemuImages.output(of: ["python3", Self.corpusScript.path, directory.path])
        let entries = try JSONDecoder().decode(
            [Entry].self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        #expect(entries.count >= 100)
        let alice = try await TestEnvironment.token("alice", UploadTests.writer)
        let services = try await RegistryServices.fresh()
        try await services.runTwoIngestProcesses { first, second, projector in
            var mismatches: [String] = []
            var accepted = 0
            var lastPosition: String?
            for (index, entry) in entries.enumerated() {
                let before = UploadTests.storedFiles(services.settings)
                let answer = try await (index % 2 == 0 ? first : second).call(
                    .post, "/v1/images?name=\(Self.imageName(entry.file))", token: alice,
                    uploading: directory.appendingPathComponent(entry.file))
                let message = answer.string("error", "message") ?? ""
                switch entry.expect {
                case "accept":
                    accepted += 1
                    lastPosition = answer.headers[.registryPosition] ?? lastPosition
                    if answer.status != .accepted {
                        mismatches.append("\(entry.file) (\(entry.reason)): expected 202, got \(answer.status.code) \(message)")
                    }
                default:
                    if answer.status != .unprocessableContent {
                        mismatches.append("\(entry.file) (\(entry.reason)): expected 422, got \(answer.status.code)")
                    } else if let expected = entry.message, !message.lowercased().contains(expected) {
                        mismatches.append("\(entry.file) (\(entry.reason)): message \"\(message)\" lacks \"\(expected)\"")
                    }
                    if UploadTests.storedFiles(services.settings) != before {
                        mismatches.append("\(entry.file): a refused upload left a file in the blob store")
                    }
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.joined(separator: "\n"))")
            for client in [first, second] {
                #expect(try await client.call(.get, "/healthz").status == .ok, "the ingest is alive")
            }
            let position = try #require(lastPosition)
            let recorded = try await projector.call(
                .get, "/v1/audit?type=image-created&limit=1000", token: alice, headers: [.registryPosition: position])
            #expect((recorded["items"] as? [Any])?.count == accepted, "one event per accepted file, none for refusals")
        }
    }
}
