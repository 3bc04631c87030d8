import Logging

/// Retries work that fails while a dependency is unreachable.
public enum Backoff {
    /// Runs `operation` until it succeeds, logging each failure and waiting
    /// twice as long after each (from `initial` up to `maximum`). Only
    /// cancellation ends it early.
    public static func retrying<Result>(
        _ what: String, initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), logger: Logger,
        metadata: Logger.Metadata = [:], _ operation: () async throws -> Result
    ) async throws -> Result {
        var delay = initial
        while true {
            do {
                return try await operation()
            } catch {
                try Task.checkCancellation()
                var details = metadata
                details["error"] = "\(String(reflecting: error))"
                logger.error("\(what); retrying", metadata: details)
                try await Task.sleep(for: delay)
                delay = min(delay * 2, maximum)
            }
        }
    }
}
