import Foundation
import Hummingbird
import BlobStore
import Kafka
import Logging
import PostgresNIO
import ReadModel
import RegistryAuth
import RegistryDomain
import RegistryHTTP
import RegistryRuntime
import RegistryTesting
import Testing
@testable import IngestService
@testable import ProjectorService

/// The committed OpenAPI documents describe exactly the routes the services serve.
@Suite("OpenAPI documents match the routers")
struct OpenAPIContractTests {
    /// Dependencies that are built but never started: no I/O happens here.
    static let logger = Logger(label: "contract-test")
    static let postgres = PostgresClient(
        configuration: .init(host: "127.0.0.1", username: "unused", password: nil, database: nil, tls: .disable),
        backgroundLogger: logger)
    static let queries = PostgresRegistryQueries(client: postgres, logger: logger)
    static let waiter = ProjectionWaiter(queries: queries, timeout: .seconds(1))

    /// `METHOD /path` for each route; a namespace path (which may hold `/`)
    /// and everything after it are written `**`, as the router matches them.
    static func normalised(method: String, path: String) -> String {
        var segments: [String] = []
        for segment in path.split(separator: "/").map(String.init) {
            if segment == "{path}" || segment == "**" {
                segments.append("**")
                break
            }
            segments.append(segment.hasPrefix("{") || segment.hasPrefix(":") ? "{}" : segment)
        }
        return "\(method.uppercased()) /" + segments.joined(separator: "/")
    }

    static func served(_ router: Router<RegistryRequestContext>) -> Set<String> {
        Set(router.routes.map { normalised(method: $0.method.rawValue, path: $0.path.description) })
    }

    static func documented(_ bundle: Bundle) throws -> Set<String> {
        let url = try #require(bundle.url(forResource: "openapi", withExtension: "json"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var routes: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys where ["get", "head", "post", "put", "delete", "patch"].contains(method) {
                routes.insert(normalised(method: method, path: path))
            }
        }
        return routes
    }

    @Test("both documents list every event type the services record, and no other")
    func eventTypes() throws {
        for bundle in [IngestService.resourceBundle, ProjectorService.resourceBundle] {
            let url = try #require(bundle.url(forResource: "openapi", withExtension: "json"))
            let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
            let event = (schemas?["Event"] as? [String: Any])?["properties"] as? [String: Any]
            let types = try #require((event?["type"] as? [String: Any])?["enum"] as? [String])
            #expect(Set(types) == Set(EventType.allCases.map(\.rawValue)), "\(url.path)")
        }
    }

    @Test("ingest")
    func ingest() async throws {
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: "127.0.0.1:1")),
            logger: Self.logger)
        let router = try buildIngestRouter(
            recorder: CommandRecorder(
                publisher: KafkaEventPublisher(producer: producer, topic: "unused"), waiter: Self.waiter, queries: Self.queries,
                idempotencyRecords: InMemoryIdempotencyRecords()),
            queries: Self.queries,
            uploader: ImageUploader(blobs: FileBlobStore(
                root: "/unused", maximumSize: 1, validator: QCOW2Validator(), wholeImageCheck: QemuImageCheck())),
            fileRoots: FileRoots([]), verifier: await TokenVerifier(hmacSecret: String(repeating: "s", count: 32)),
            startup: StartupService(logger: Self.logger) {}, uploadSessions: InMemoryUploadSessions(),
            uploadSessionLifetime: .seconds(3600))
        let served = Self.served(router)
        let documented = try Self.documented(IngestService.resourceBundle)
        #expect(served.subtracting(documented).isEmpty, "served but not documented")
        #expect(documented.subtracting(served).isEmpty, "documented but not served")
        #expect(served.contains("POST /v1/images"))
    }

    @Test("projector")
    func projector() async throws {
        let router = try buildProjectorRouter(
            queries: Self.queries, waiter: Self.waiter, fileRoots: FileRoots([]),
            verifier: await TokenVerifier(hmacSecret: String(repeating: "s", count: 32)),
            uploadSessions: InMemoryUploadSessions(), uploadSessionLifetime: .seconds(3600))
        let served = Self.served(router)
        let documented = try Self.documented(ProjectorService.resourceBundle)
        #expect(served.subtracting(documented).isEmpty, "served but not documented")
        #expect(documented.subtracting(served).isEmpty, "documented but not served")
        #expect(served.contains("GET /v1/resolve"))
    }
}
