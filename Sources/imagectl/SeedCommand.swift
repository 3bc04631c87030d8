import ArgumentParser
import Crypto
import Foundation
import RegistryDomain
import RegistryHTTP

/// `imagectl seed`: registers the base images of a catalogue, as
/// `image-created` events like any other image. Running it again changes
/// nothing: the registry answers 200 for bytes that are already the newest
/// version of a name.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Register the base images listed in a catalogue (administrators).")

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
        let client = try await connection.writer(scopes: [.registryAdmin])
        let root = URL(fileURLWithPath: baseDir).standardizedFileURL
        var lastPosition: String?
        for name in catalogue.images {
            let baseName = try BaseImageName(name)
            let file = root.appendingPathComponent(catalogue.driver).appendingPathComponent(catalogue.arch)
                .appendingPathComponent(baseName.value)
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw CommandFailure("\(name): no file at \(file.path)")
            }
            let (digest, size) = try Self.digest(of: file)
            let answer = try await client.send(.POST, "/v1/images", json: [
                "source": "base", "name": name, "driver": catalogue.driver, "location": file.absoluteString,
                "sha256": digest, "size": size,
            ])
            switch answer.status {
            case 200: print("\(name): already registered")
            case 201, 202:
                print("\(name): registered (\(digest.prefix(12)))")
                lastPosition = (answer.body["event"] as? [String: Any])?["position"] as? String
            default: throw CommandFailure("\(name): \(answer.errorMessage)")
            }
        }
        if let lastPosition {
            try await waitUntilVisible(lastPosition, reader: connection.reader(scopes: [.registryAdmin]))
        }
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
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), size)
    }
}
