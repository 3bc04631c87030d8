import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryTesting
import Synchronization
import Testing

/// A small real QCOW2 image, made with `qemu-img` and `qemu-io`. Once a
/// user has uploaded it, the registry holds its bytes, and that user may
/// register them again by `sha256` and `size` under any name they may write.
struct HeldImage: Sendable {
    /// The byte `qemu-io` wrote into the disk: distinct patterns, distinct bytes.
    let pattern: UInt8
    let file: URL
    let sha256: String
    let size: Int

    /// A JSON registration of these bytes without a `location`, which names
    /// the registry's own copy of them.
    func registration(name: String, namespace: String? = nil) -> String {
        let namespaceField = namespace.map { #""namespace": "\#($0)", "# } ?? ""
        return #"{"name": "\#(name)", \#(namespaceField)"driver": "qemu", "sha256": "\#(sha256)", "size": \#(size)}"#
    }

    /// A copy of the file in `directory` (for example a file root of the
    /// services), named `name`.
    func copy(into directory: URL, name: String) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let copy = directory.appendingPathComponent(name)
        try FileManager.default.copyItem(at: file, to: copy)
        return copy
    }
}

/// The image an upload recorded, as `?wait=true` answers it.
struct UploadedImage: Sendable {
    let image: HeldImage
    let id: String
    let name: String
    /// The blob store's content address of the bytes.
    let location: String
    /// Where the upload's event is in the log.
    let position: String

    init(_ image: HeldImage, name: String, answer: JSONAnswer) throws {
        try #require(answer.status == .created, "uploading \(name): \(answer.status) \(answer.body)")
        try #require(answer.string("sha256") == image.sha256, "uploading \(name): the stored digest")
        self.image = image
        self.name = name
        self.id = try #require(answer.string("id"))
        self.location = try #require(answer.string("location"))
        self.position = try #require(answer.string("event", "position"))
    }
}

/// Real images for tests that register bytes by digest: each pattern's file
/// is made once per test run, in a temporary directory, then uploaded by
/// whichever test user needs the registry to hold it.
enum HeldImages {
    private struct Made {
        var directory: URL?
        var images: [UInt8: HeldImage] = [:]
    }

    private static let made = Mutex(Made())

    /// The image written with `pattern` (not 0, which would write zeros).
    static func image(_ pattern: UInt8) throws -> HeldImage {
        try made.withLock { made in
            if let image = made.images[pattern] { return image }
            let directory = try made.directory ?? QemuImages.directory()
            made.directory = directory
            let file = try QemuImages.make(
                "held-\(String(format: "%02x", pattern)).qcow2", in: directory, size: "16M", written: "64k",
                pattern: pattern)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
            let image = HeldImage(pattern: pattern, file: file, sha256: try QemuImages.sha256sum(file), size: size)
            made.images[pattern] = image
            return image
        }
    }

    /// The throw-away personal image name an upload of `pattern` gets when
    /// the test needs only the bytes to be held.
    static func defaultName(_ pattern: UInt8) -> String { "held-\(String(format: "%02x", pattern))" }

    /// The upload's URI: into `namespace` or the caller's personal images,
    /// answered once projected.
    private static func uri(name: String, namespace: String?) -> String {
        "/v1/images?name=\(name)&wait=true" + (namespace.map { "&namespace=\($0)" } ?? "")
    }

    /// Uploads the image of `pattern` as the holder of `token`, under `name`
    /// (a throw-away personal image unless given) in `namespace`, and waits
    /// until the projection shows it, so that registrations may name it.
    @discardableResult
    static func upload(
        _ pattern: UInt8, to ingest: any TestClientProtocol, token: String, name: String? = nil,
        namespace: String? = nil
    ) async throws -> UploadedImage {
        let image = try image(pattern)
        let name = name ?? defaultName(pattern)
        let answer = try await ingest.upload(image.file, uri(name: name, namespace: namespace), token: token)
        return try UploadedImage(image, name: name, answer: answer)
    }

    /// ``upload(_:to:token:name:namespace:)`` to an `image-ingest` process.
    @discardableResult
    static func upload(
        _ pattern: UInt8, to ingest: CurlClient, token: String, name: String? = nil, namespace: String? = nil
    ) async throws -> UploadedImage {
        let image = try image(pattern)
        let name = name ?? defaultName(pattern)
        let answer = try await ingest.call(.post, uri(name: name, namespace: namespace), token: token, uploading: image.file)
        return try UploadedImage(image, name: name, answer: answer)
    }
}
