import Dashboard
import EventConsumer
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ReadModel
import RegistryAuth
import RegistryDomain
import RegistryHTTP
import RegistryRuntime
import ServiceLifecycle

/// Builds the projector service (`image-projector`): the read side. It folds
/// the event topic into PostgreSQL and serves the scheduler's lookups, the
/// listings and the audit trail; unless `IMAGE_REGISTRY_WEBHOOK_DISPATCH`
/// is false it also delivers webhooks (``ProjectionService/webhookDispatch(settings:postgres:client:logger:)``).
public func buildProjectorApplication(settings: RegistrySettings, logger: Logger) async throws
    -> some ApplicationProtocol
{
    let database = try DatabaseConfiguration(url: settings.databaseURL)
    let postgres = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
    let queries = PostgresRegistryQueries(client: postgres, logger: logger)
    let progress = ProjectionProgress()
    let cache = ResolutionCache()
    let verifier = try await settings.tokenVerifier()
    let router = try buildProjectorRouter(
        queries: queries,
        cache: cache,
        waiter: ProjectionWaiter(queries: queries, timeout: settings.waitTimeout),
        fileRoots: settings.fileRoots,
        verifier: verifier,
        uploadSessions: PostgresUploadSessions(client: postgres, logger: logger),
        uploadSessionLifetime: settings.uploadSessionLifetime, personalRetention: settings.personalRetention,
        readiness: { try progress.checkReady(maximumLag: settings.readyMaximumLag) })
    var services: [any Service] = [
        postgres, ReadModelChanges(client: postgres, cache: cache, logger: logger),
        ProjectionService.live(settings: settings, postgres: postgres, progress: progress, logger: logger),
    ]
    if settings.dashboard.enabled {
        // Every page reads from one host and writes to one: a few long
        // uploads or downloads must not hold every other page in the queue.
        let client = HTTPClientService.makeClient(connectionsPerHost: 1024)
        services.append(HTTPClientService(client: client))
        try await Dashboard(
            configuration: Dashboard.Configuration(
                readURL: "http://\(Dashboard.Configuration.loopback(for: settings.host)):\(settings.projectorPort)",
                writeURL: settings.dashboard.ingestURL ?? "http://127.0.0.1:\(settings.ingestPort)",
                devSignIn: settings.dashboard.devSignIn, secureCookies: settings.dashboard.secureCookies),
            verifier: verifier, http: client
        ).addRoutes(to: router)
    }
    if settings.outbound.dispatchWebhooks {
        let client = HTTPClientService.makeClient()
        services += [
            HTTPClientService(client: client),
            ProjectionService.webhookDispatch(settings: settings, postgres: postgres, client: client, logger: logger),
        ]
    }
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(settings.host, port: settings.projectorPort), serverName: "image-projector"),
        services: services,
        logger: logger)
}

/// Every route the projector serves.
func buildProjectorRouter(
    queries: any RegistryQueries, cache: ResolutionCache = ResolutionCache(), waiter: ProjectionWaiter, fileRoots: FileRoots, verifier: TokenVerifier,
    uploadSessions: any UploadSessionStore, uploadSessionLifetime: Duration, personalRetention: RetentionPolicy? = nil,
    readiness: @escaping HealthController.ReadinessCheck = {}
) throws -> Router<RegistryRequestContext> {
    let registry = try RegistryRouter(
        service: "image-projector", queries: queries, verifier: verifier, openAPIBundle: resourceBundle,
        booleanQueryParameters: ["wait", "deleted", "newest"], readiness: readiness)
    // Images and namespaces may be read anonymously (public ones); the
    // other reads need a token, and a request without one is told so first.
    let anyone = registry.v1.group().add(middleware: ReadYourWritesMiddleware(waiter: waiter))
    let callers = registry.v1.group().add(middleware: TokenRequiredMiddleware())
        .add(middleware: ReadYourWritesMiddleware(waiter: waiter))
    ImageQueryController(queries: queries).addRoutes(to: anyone)
    ImageDiskController(queries: queries, fileRoots: fileRoots).addRoutes(to: anyone)
    NamespaceQueryController(queries: queries).addRoutes(to: anyone)
    InviteQueryController(queries: queries).addRoutes(to: callers)
    ImportQueryController(queries: queries).addRoutes(to: callers)
    RetentionQueryController(queries: queries, personalPolicy: personalRetention).addRoutes(to: callers)
    QuotaQueryController(queries: queries).addRoutes(to: callers)
    UploadSessionQueryController(sessions: uploadSessions, lifetime: uploadSessionLifetime).addRoutes(to: callers)
    ResolveController(queries: queries, cache: cache).addRoutes(to: callers)
    AuditController(queries: queries).addRoutes(to: callers)
    DeadLetterController(queries: queries).addRoutes(to: callers)
    return registry.router
}
