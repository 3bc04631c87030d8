import Logging
import ServiceLifecycle
import Synchronization

/// Prepares a replica (``RegistryStartup/prepare(settings:postgres:logger:)``)
/// in the background, retrying while PostgreSQL or the broker is unreachable:
/// a replica started before its dependencies waits for them instead of
/// exiting. Until preparation has succeeded, ``checkReady()`` throws (so
/// `/readyz` says not ready and the ingest's readiness gate answers commands
/// `503` with `Retry-After`), saying why when the preparation itself
/// refused (``NotReady``, such as an event topic that deletes records).
public final class StartupService: Service, Sendable {
    private enum State {
        case preparing(lastFailure: (any Error)?)
        case prepared
    }

    private let prepare: @Sendable () async throws -> Void
    private let state = Mutex(State.preparing(lastFailure: nil))
    private let logger: Logger

    /// - Parameter prepare: the preparation to retry until it succeeds.
    public init(logger: Logger, prepare: @escaping @Sendable () async throws -> Void) {
        self.logger = logger
        self.prepare = prepare
    }

    /// Retries the preparation until it succeeds, then stays until shutdown.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await Backoff.retrying("cannot prepare the service yet", initial: .milliseconds(250), logger: self.logger) {
                    try await self.prepareNow()
                }
            }
        } catch is CancellationError where Task.isShuttingDownGracefully {
            return
        }
        logger.info("prepared: read-model schema current, event topic present")
        // A service that returns ends the application: stay until shutdown.
        try? await gracefulShutdown()
    }

    /// Prepares once, without retrying; the service is ready when it returns.
    public func prepareNow() async throws {
        do {
            try await prepare()
        } catch {
            state.withLock { $0 = .preparing(lastFailure: error) }
            throw error
        }
        state.withLock { $0 = .prepared }
    }

    /// Throws until preparation has succeeded.
    public func checkReady() throws {
        let state = state.withLock { $0 }
        if case .preparing(let failure) = state { throw NotReady.preparing(after: failure) }
    }
}
