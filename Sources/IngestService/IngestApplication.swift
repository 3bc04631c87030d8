import BlobStore
import Foundation
import Hummingbird
import Kafka
import Logging
import PostgresNIO
import ReadModel
import RegistryAuth
import RegistryDomain
import RegistryHTTP
import RegistryRuntime
import ServiceLifecycle

/// Builds the ingest service (`image-ingest`): the write side. It validates
/// commands, records events in Kafka and answers once the broker has
/// acknowledged them. It reads the read model to validate and to resolve.
public func buildIngestApplication(settings: RegistrySettings, logger: Logger) async throws -> some ApplicationProtocol {
    let database = try DatabaseConfiguration(url: settings.databaseURL)
    let postgres = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
    let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(client: settings.kafka), logger: logger)
    let queries = PostgresRegistryQueries(client: postgres, logger: logger)
    let blobStore = settings.blobStore()
    let publisher = KafkaEventPublisher(producer: producer, topic: settings.topic)
    let uploadSessions = PostgresUploadSessions(client: postgres, logger: logger)
    let startup = StartupService(logger: logger) {
        try await RegistryStartup.prepare(settings: settings, postgres: postgres, logger: logger)
    }
    let router = try buildIngestRouter(
        recorder: CommandRecorder(
            publisher: publisher,
            waiter: ProjectionWaiter(queries: queries, timeout: settings.waitTimeout),
            queries: queries,
            idempotencyRecords: PostgresIdempotencyRecords(client: postgres, logger: logger)),
        queries: queries,
        uploader: ImageUploader(blobs: blobStore),
        fileRoots: settings.fileRoots,
        verifier: try await settings.tokenVerifier(),
        startup: startup,
        outboundRules: OutboundRules(settings.outbound),
        uploadSessions: uploadSessions, uploadSessionLifetime: settings.uploadSessionLifetime,
        recentBuildWindow: settings.recentBuildWindow, personalRetention: settings.personalRetention)

    var services: [any Service] = [
        postgres, producer, startup,
        UploadSessionSweeper(
            sessions: uploadSessions, blobs: blobStore, lifetime: settings.uploadSessionLifetime, logger: logger),
    ]
    if let interval = settings.blobCollection.interval {
        var collectorLogger = logger
        collectorLogger[metadataKey: "role"] = "blob-collector"
        services.append(BlobCollectionService(
            collection: BlobCollection(
                collector: BlobCollector(store: blobStore), queries: queries, grace: settings.blobCollection.grace,
                logger: collectorLogger),
            interval: interval))
    }
    let outbound = settings.outbound
    if outbound.importWorkers > 0 {
        let client = HTTPClientService.makeClient(read: outbound.importStallTimeout)
        var workerLogger = logger
        workerLogger[metadataKey: "role"] = "import-worker"
        services += [
            HTTPClientService(client: client),
            ImportWorker(
                log: PostgresImportWorkLog(client: postgres, logger: workerLogger),
                downloader: ImportDownloader(
                    client: client, addresses: OutboundAddressGuard(rules: outbound.addressRules), blobs: blobStore),
                publisher: publisher, quotas: QuotaRules(queries: queries), seal: outbound.webhookSeal, concurrency: outbound.importWorkers,
                retryPeriod: outbound.importRetryPeriod, logger: workerLogger),
        ]
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(settings.host, port: settings.ingestPort), serverName: "image-ingest"),
        services: services,
        logger: logger)
}

/// Every route the ingest service serves.
func buildIngestRouter(
    recorder: CommandRecorder, queries: any RegistryQueries, uploader: ImageUploader, fileRoots: FileRoots,
    verifier: TokenVerifier, startup: StartupService, outboundRules: OutboundRules = OutboundRules(),
    uploadSessions: any UploadSessionStore, uploadSessionLifetime: Duration,
    recentBuildWindow: Duration = .seconds(24 * 3600), personalRetention: RetentionPolicy? = nil
) throws -> Router<RegistryRequestContext> {
    let registry = try RegistryRouter(
        service: "image-ingest", queries: queries, verifier: verifier, openAPIBundle: resourceBundle, booleanQueryParameters: ["wait", "force"],
        readiness: { try startup.checkReady() })
    // Every command needs a token; a request without one is told so first.
    let v1 = registry.v1.group().add(middleware: TokenRequiredMiddleware())
        .add(middleware: ReadinessGate { try startup.checkReady() })
        .add(middleware: ReadYourWritesMiddleware(waiter: recorder.waiter))
    NamespaceCommandController(recorder: recorder, queries: queries, outboundRules: outboundRules).addRoutes(to: v1)
    InviteCommandController(recorder: recorder, queries: queries).addRoutes(to: v1)
    let imageRules = ImageWriteRules(queries: queries, fileRoots: fileRoots, blobs: uploader.blobs)
    ImageCommandController(
        recorder: recorder, queries: queries, uploader: uploader, rules: imageRules, outbound: outboundRules,
        recentBuildWindow: recentBuildWindow
    ).addRoutes(to: v1)
    ImageBatchController(recorder: recorder, rules: imageRules).addRoutes(to: v1)
    ImageStatusCommands(recorder: recorder, queries: queries).addRoutes(to: v1)
    RetentionCommandController(recorder: recorder, queries: queries, personalPolicy: personalRetention)
        .addRoutes(to: v1)
    QuotaCommandController(recorder: recorder, queries: queries).addRoutes(to: v1)
    UploadSessionController(
        recorder: recorder, queries: queries, rules: imageRules, sessions: uploadSessions, lifetime: uploadSessionLifetime
    ).addRoutes(to: v1)
    ResolutionCommandController(recorder: recorder, queries: queries).addRoutes(to: v1)
    return registry.router
}
