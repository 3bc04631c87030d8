import Foundation

/// A PostgreSQL or broker of one test's own (`scripts/lib/dependency`), which
/// the test may stop and start again while services use it. The shared ones
/// that `scripts/test` starts stay untouched.
final class DedicatedDependency: Sendable {
    enum Kind: String {
        case postgres, broker
    }

    let kind: Kind
    let port: Int
    let directory: URL

    private static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/lib/dependency").path

    /// Starts it on a free loopback port (the broker uses the two above it too).
    init(_ kind: Kind) async throws {
        self.kind = kind
        var port = try FreePort.find()
        while kind == .broker, !(1...2).allSatisfy({ FreePort.isFree(port + $0) }) {
            port = try FreePort.find()
        }
        self.port = port
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(kind)-\(UUID().uuidString)")
        try await Self.run(kind.rawValue, "start", directory.path, String(port))
    }

    /// `postgres://` URL of its `registry` database, or the broker's address.
    var address: String {
        switch kind {
        case .postgres: "postgres://registry@127.0.0.1:\(port)/registry"
        case .broker: "127.0.0.1:\(port)"
        }
    }

    /// Stops the server itself (for the broker: Tansu, leaving its storage and
    /// the compatibility proxy in place), as an outage would.
    func stopServer() async throws {
        try await Self.run(kind == .broker ? "tansu" : "postgres", "stop", directory.path)
    }

    func startServer() async throws {
        try await Self.run(kind == .broker ? "tansu" : "postgres", "start", directory.path, String(port))
    }

    /// Stops everything it started.
    func shutdown() async throws {
        try await Self.run(kind.rawValue, "stop", directory.path)
    }

    private static func run(_ arguments: String...) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw POSIXError(.EIO, "scripts/lib/dependency \(arguments.joined(separator: " ")) failed")
        }
    }
}

extension POSIXError {
    init(_ code: POSIXErrorCode, _ message: String) {
        self.init(code, userInfo: [NSLocalizedDescriptionKey: message])
    }
}
