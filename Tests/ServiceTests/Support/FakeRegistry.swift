import BlobStore
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import IngestService
import Logging
@testable import ProjectorService
import ReadModel
import RegistryAuth
import RegistryDomain
import RegistryHTTP
import RegistryRuntime
import RegistryTesting

/// Both services' routers over one in-memory read model and event log:
/// what the live stack does, without PostgreSQL, a broker or a server.
/// Uploads go to a blob store in a temporary directory, with the streaming
/// QCOW2 check and a whole-file check that accepts what it is given.
final class FakeRegistry: Sendable {
    static let secret = "route-tests-shared-secret-with-32-bytes-or-more"
    /// Webhooks may deliver to 127.0.0.1 here, with secrets sealed by this key.
    static let defaultOutbound = OutboundSettings(
        addressRules: try! OutboundAddressRules(parsing: "127.0.0.1/32"),
        webhookSeal: try! WebhookSecretSeal(keyText: "route-tests-webhook-key-0123456789abcdef"))

    let readModel = InMemoryReadModel()
    let log: InMemoryEventLog
    let idempotency = InMemoryIdempotencyRecords()
    let uploadSessions = InMemoryUploadSessions()
    static let uploadSessionLifetime: Duration = .seconds(3600)
    let verifier: TokenVerifier
    let blobRoot: URL
    /// The largest upload accepted.
    let maximumUploadBytes: Int64
    let waitTimeout: Duration
    /// Where webhooks may deliver and how their secrets are sealed.
    let outbound: OutboundSettings
    /// The default retention policy of personal images.
    let personalRetention: RetentionPolicy?

    init(
        maximumUploadBytes: Int64 = 1 << 20, waitTimeout: Duration = .milliseconds(300),
        outbound: OutboundSettings = FakeRegistry.defaultOutbound, personalRetention: RetentionPolicy? = nil
    ) async throws {
        log = InMemoryEventLog(projectingInto: readModel)
        verifier = await TokenVerifier(hmacSecret: Self.secret)
        blobRoot = FileManager.default.temporaryDirectory.appendingPathComponent("route-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: blobRoot, withIntermediateDirectories: true)
        self.maximumUploadBytes = maximumUploadBytes
        self.waitTimeout = waitTimeout
        self.outbound = outbound
        self.personalRetention = personalRetention
    }

    deinit {
        try? FileManager.default.removeItem(at: blobRoot)
    }

    /// The regular files in the blob store, relative to its root.
    func storedFiles() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: blobRoot.path).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: blobRoot.appendingPathComponent(path).path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    var fileRoots: FileRoots { FileRoots([blobRoot.path]) }

    var blobs: FileBlobStore {
        FileBlobStore(
            root: blobRoot.path, maximumSize: maximumUploadBytes,
            validator: QCOW2Validator(maximumVirtualSize: 1 << 40), wholeImageCheck: AcceptingImageCheck())
    }

    var waiter: ProjectionWaiter { ProjectionWaiter(queries: readModel, timeout: waitTimeout) }

    /// The ingest service's router; `prepared: false` leaves it starting up.
    func ingest(prepared: Bool = true) async throws -> some ApplicationProtocol {
        let startup = StartupService(logger: Self.logger) {}
        if prepared { try await startup.prepareNow() }
        let router = try buildIngestRouter(
            recorder: CommandRecorder(
                publisher: log, waiter: waiter, queries: readModel, idempotencyRecords: idempotency),
            queries: readModel, uploader: ImageUploader(blobs: blobs), fileRoots: fileRoots, verifier: verifier,
            startup: startup, outboundRules: OutboundRules(outbound), uploadSessions: uploadSessions,
            uploadSessionLifetime: Self.uploadSessionLifetime, personalRetention: personalRetention)
        return Application(router: router, logger: Self.logger)
    }

    /// The projector's router.
    func projector() throws -> some ApplicationProtocol {
        let router = try buildProjectorRouter(
            queries: readModel, waiter: waiter, fileRoots: fileRoots, verifier: verifier, uploadSessions: uploadSessions,
            uploadSessionLifetime: Self.uploadSessionLifetime, personalRetention: personalRetention)
        return Application(router: router, logger: Self.logger)
    }

    /// Runs `body` with a client of each service.
    func withServices(
        _ body: @Sendable (_ ingest: any TestClientProtocol, _ projector: any TestClientProtocol) async throws -> Void
    ) async throws {
        let projector = try self.projector()
        try await ingest().test(.router) { ingest in
            try await projector.test(.router) { projector in try await body(ingest, projector) }
        }
    }

    func token(_ user: String, _ scopes: [Scope] = Scope.user) async throws -> String {
        try await verifier.token(username: Username(user), scopes: scopes)
    }

    static let logger: Logger = {
        var logger = Logger(label: "route-tests")
        logger.logLevel = .critical
        return logger
    }()
}

extension Scope {
    /// What a signed-in user's token holds.
    static let user: [Scope] = [.imageRead, .imageWrite, .namespaceRead, .namespaceWrite]
}

/// The whole-file check of route tests: the header check has run; the
/// file's structure is the live suites' to check with `qemu-img`.
struct AcceptingImageCheck: WholeImageCheck {
    func check(path: String, header: QCOW2Header, fileSize: UInt64) async throws {}
}
