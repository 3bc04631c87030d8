import ArgumentParser
import Crypto
import Foundation
import RegistryAPI
import RegistryDomain

/// `imagectl seed`: registers the base images of a catalogue, as
/// `image-created` events like any other image, in one batch request.
/// Running it again changes nothing: bytes that are already the newest
/// version of a name are not recorded again. A batch the registry could not
/// finish (503) is sent again with the same `Idempotency-Key`, which records
/// only what is missing.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Register the base images listed in a catalogue (administrators).",
        discussion: "Example: imagectl seed --base-dir /var/lib/djinn/images/base --token \"$ADMIN_TOKEN\"")

    @Option(help: "The base-image catalogue.")
    var catalogue = "seeds/base-images.json"

    @Option(help: "Folder holding <driver>/<arch>/<name> for each base image.")
    var baseDir: String

    @OptionGroup var connection: Connection

    struct Catalogue: Decodable {
        var driver: String
        var arch: String
        var images: [String]
    }

    func run() async throws {
        let catalogue = try JSONDecoder().decode(Catalogue.self, from: Data(contentsOf: URL(fileURLWithPath: self.catalogue)))
        let client = try connection.writer()
        let root = URL(fileURLWithPath: baseDir).standardizedFileURL
        var registrations: [RegisterImageRequest] = []
        for name in catalogue.images {
            let baseName = try BaseImageName(name)
            let file = root.appendingPathComponent(catalogue.driver).appendingPathComponent(catalogue.arch)
                .appendingPathComponent(baseName.value)
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw CommandFailure("\(name): no file at \(file.path)")
            }
            let (digest, size) = try Self.digest(of: file)
            registrations.append(RegisterImageRequest(
                name: name, driver: catalogue.driver, location: file.absoluteString, sha256: digest, size: size,
                source: "base"))
        }
        let key = "seed-\(UUID().uuidString.lowercased())"
        let batch = RegisterImageBatchRequest(images: registrations)
        var answer = try await client.send(.POST, "/v1/images/batch", json: batch, headers: ["Idempotency-Key": key])
        for _ in 0..<3 where answer.status == 503 {
            try await Task.sleep(for: .seconds(5))
            answer = try await client.send(.POST, "/v1/images/batch", json: batch, headers: ["Idempotency-Key": key])
        }
        let outcomes = try answer.decode(ImageBatchResult.self, expecting: [200, 202]).images
        let positions = outcomes.map(\.event.position.description)
        let reader = try connection.reader()
        for position in Self.furthestPerPartition(positions) {
            try await waitUntilVisible(position, reader: reader)
        }
        for (name, outcome) in zip(catalogue.images, outcomes) {
            print("\(name): \(try await Self.describe(outcome, reader: reader))")
        }
    }

    /// What the projection made of one registration: a new version, or none
    /// when its bytes already were the newest version (no image takes its id).
    private static func describe(_ outcome: ImageBatchResult.Registered, reader: RegistryClient) async throws -> String {
        let answer = try await reader.send(.GET, "/v1/images/\(outcome.imageID)")
        switch answer.status {
        case 404: return "already registered"
        default: return "registered as version \(try answer.decode(ImageResource.self).version)"
        }
    }

    /// The furthest of `positions` (`partition:offset`) in each partition.
    static func furthestPerPartition(_ positions: [String]) -> [String] {
        let parsed = positions.compactMap(LogPosition.init)
        let furthest = Dictionary(parsed.map { ($0.partition, $0) }, uniquingKeysWith: { $0.offset > $1.offset ? $0 : $1 })
        return furthest.values.map(\.description)
    }

    /// Asks the read side, with the last event's position, until it has
    /// applied every seeded image (a fresh projector first joins its group).
    private func waitUntilVisible(_ position: String, reader: RegistryClient) async throws {
        for _ in 0..<12 {
            let answer = try await reader.send(.GET, "/v1/images?limit=1&after=\(position)")
            if answer.status == 200 { return }
            guard [503, 504].contains(answer.status) else { throw CommandFailure(answer.errorMessage) }
        }
        throw CommandFailure("the projector did not apply the seeded images in time")
    }

    /// SHA-256 and size of a file, read in 1 MiB chunks.
    static func digest(of file: URL) throws -> (String, Int64) {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += Int64(chunk.count)
        }
        return (SHA256Digest(hasher.finalize()).hex, size)
    }
}
