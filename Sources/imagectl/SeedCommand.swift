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

    @Option(help: "Projector URL to wait on until the seeded images are visible (or IMAGE_REGISTRY_PROJECTOR_URL).")
    var projectorURL: String?

    @OptionGroup var connection: IngestConnection

    struct Catalogue: Decodable {
        var driver: String
        var arch: String
        var images: [String]
    }

    func run() async throws {
        let catalogue = try JSONDecoder().decode(Catalogue.self, from: Data(contentsOf: URL(fileURLWithPath: self.catalogue)))
        let client = try await connection.client(defaultScopes: [.registryAdmin])
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
            let answer = try await client.send("POST", "/v1/images", json: [
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
            try await waitUntilVisible(lastPosition, token: client.token)
        }
    }

    /// Asks the projector, with the last event's position, until it has
    /// applied every seeded image (a fresh projector first joins its group).
    private func waitUntilVisible(_ position: String, token: String?) async throws {
        let base = projectorURL ?? ProcessInfo.processInfo.environment["IMAGE_REGISTRY_PROJECTOR_URL"]
            ?? "http://127.0.0.1:8081"
        guard let url = URL(string: base) else { throw CommandFailure("invalid URL \(base)") }
        let projector = RegistryClient(baseURL: url, token: token)
        for _ in 0..<12 {
            let answer = try await projector.send("GET", "/v1/images?limit=1&after=\(position)")
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

/// Where the ingest service is and how to authenticate to it.
struct IngestConnection: ParsableArguments {
    @Option(help: "Base URL of the ingest service (or IMAGE_REGISTRY_URL).")
    var url: String?

    @Option(help: "Bearer token (or IMAGE_REGISTRY_TOKEN); without one, a token is minted from IMAGE_REGISTRY_JWT_SECRET.")
    var token: String?

    func client(defaultScopes: [Scope]) async throws -> RegistryClient {
        let environment = ProcessInfo.processInfo.environment
        let base = url ?? environment["IMAGE_REGISTRY_URL"] ?? "http://127.0.0.1:8080"
        guard let baseURL = URL(string: base) else { throw CommandFailure("invalid URL \(base)") }
        if let token = token ?? environment["IMAGE_REGISTRY_TOKEN"] {
            return RegistryClient(baseURL: baseURL, token: token)
        }
        guard let secret = environment["IMAGE_REGISTRY_JWT_SECRET"] else {
            throw CommandFailure("set IMAGE_REGISTRY_TOKEN (or IMAGE_REGISTRY_JWT_SECRET to mint one)")
        }
        let minted = try await TokenVerifier(hmacSecret: secret)
            .token(username: Username("registry"), scopes: defaultScopes, lifetime: 600)
        return RegistryClient(baseURL: baseURL, token: minted)
    }
}
