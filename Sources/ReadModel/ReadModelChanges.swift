import Logging
import PostgresNIO
import ServiceLifecycle

/// Change notifications of the read model, through PostgreSQL
/// `LISTEN`/`NOTIFY`, so that every replica's ``ResolutionCache`` forgets
/// answers as soon as any replica's projection (or a rebuild) changes the
/// read model.
public struct ReadModelChanges: Service {
    /// The notification channel.
    static let channel = "read_model_changed"

    private let client: PostgresClient
    private let cache: ResolutionCache
    private let logger: Logger

    /// Listens on a connection of `client` and empties `cache` on each change.
    public init(client: PostgresClient, cache: ResolutionCache, logger: Logger) {
        self.client = client
        self.cache = cache
        self.logger = logger
    }

    /// Sends the notification; delivered when the transaction commits.
    static func notify(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_notify(\(channel), '')", logger: logger)
    }

    /// Listens until shutdown, reconnecting every second while it cannot;
    /// the cache is off whenever the listener is not connected.
    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await client.withConnection { connection in
                        try await connection.listen(on: Self.channel) { notifications in
                            cache.setListening(true)
                            for try await _ in notifications { cache.invalidate() }
                        }
                    }
                }
            } catch is CancellationError {
                break
            } catch {
                logger.warning("read-model change listener lost; caching paused", metadata: ["error": "\(String(reflecting: error))"])
            }
            cache.setListening(false)
            try? await Task.sleep(for: .seconds(1))
        }
        cache.setListening(false)
    }
}
