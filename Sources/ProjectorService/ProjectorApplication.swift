import Hummingbird
import Logging
import PostgresNIO
import ReadModel
import RegistryHTTP

/// Builds the projector service (`image-projector`): the read side. It folds
/// the event topic into PostgreSQL and serves the scheduler's lookups and the
/// audit trail.
public func buildProjectorApplication(settings: RegistrySettings, logger: Logger) async throws
    -> some ApplicationProtocol
{
    let database = try DatabaseConfiguration(url: settings.databaseURL)
    let postgres = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
    let queries = PostgresRegistryQueries(client: postgres, logger: logger)
    let waiter = ProjectionWaiter(queries: queries, timeout: settings.waitTimeout)
    let verifier = await TokenVerifier(hmacSecret: settings.jwtSecret)
    let projection = ProjectionService.live(settings: settings, postgres: postgres, logger: logger)

    let router = Router(context: RegistryRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    HealthController { try await queries.ping() }.addRoutes(to: router)
    let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(verifier: verifier))
    ResolveController(queries: queries, waiter: waiter).addRoutes(to: v1)
    ImageQueryController(queries: queries, waiter: waiter).addRoutes(to: v1)
    AuditController(queries: queries, waiter: waiter).addRoutes(to: v1)

    return Application(
        router: router,
        configuration: .init(
            address: .hostname(settings.host, port: settings.projectorPort), serverName: "image-projector"),
        services: [postgres, projection],
        logger: logger)
}
