import BlobStore
import Foundation
import Logging
import Metrics
import PostgresNIO
import ReadModel
import RegistryDomain
import RegistryRuntime
import ServiceLifecycle

/// One garbage collection of the blob store (``BlobCollector``), run by one
/// replica at a time: a run holds a PostgreSQL advisory lock, and a replica
/// that finds it held skips its turn.
struct BlobCollection: Sendable {
    let collector: BlobCollector
    let queries: PostgresRegistryQueries
    let grace: Duration
    let logger: Logger

    /// Runs one collection; `nil` when another replica is collecting.
    func run(dryRun: Bool) async throws -> BlobCollector.Report? {
        let started = ContinuousClock.now
        let report = try await queries.withBlobCollectionClaim {
            try await collector.run(grace: grace, dryRun: dryRun) { digests in
                let needs = try await queries.blobNeeds(among: digests)
                return BlobCollector.Needs(
                    liveDigests: needs.liveDigests, openSessions: needs.openSessions, queuedImports: needs.queuedImports)
            }
        }
        guard let report else {
            Counter(label: "registry_blob_collections_total", dimensions: [("outcome", "skipped")]).increment()
            return nil
        }
        if !dryRun {
            Counter(label: "registry_blob_collections_total", dimensions: [("outcome", "done")]).increment()
            Counter(label: "registry_blob_collection_freed_bytes_total").increment(by: Int(report.bytesFreed))
            Counter(label: "registry_blob_collection_removed_files_total").increment(by: report.removals.count)
        }
        logger.info(
            dryRun ? "blob collection dry run" : "blob collection done",
            metadata: [
                "examined": "\(report.examined)", "removed": "\(report.removals.count)",
                "bytes": "\(report.bytesFreed)", "restored": "\(report.restored)",
                "milliseconds": "\((ContinuousClock.now - started) / .milliseconds(1))",
            ])
        return report
    }
}

/// Collects the blob store every ``interval``, starting one interval after
/// start (so that a fleet restarting together does not collect at once).
struct BlobCollectionService: Service {
    let collection: BlobCollection
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                do {
                    _ = try await collection.run(dryRun: false)
                } catch {
                    Counter(label: "registry_blob_collections_total", dimensions: [("outcome", "failed")]).increment()
                    collection.logger.warning("blob collection failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}

/// `image-ingest gc [--dry-run] [--grace-seconds N]`: one garbage
/// collection of the blob store, now. Lists what it removes (or, with
/// `--dry-run`, would remove) and why, then the bytes freed.
public struct BlobCollectionCommand: Sendable {
    public var dryRun: Bool
    public var grace: Duration?

    /// Reads `--dry-run` and `--grace-seconds N` from `arguments`.
    public init(arguments: [String]) throws {
        var rest = arguments[...]
        dryRun = false
        while let argument = rest.popFirst() {
            switch argument {
            case "--dry-run":
                dryRun = true
            case "--grace-seconds":
                guard let text = rest.popFirst(), let seconds = Int(text), seconds >= 0 else {
                    throw ConfigurationError("--grace-seconds takes a whole number of seconds, 0 or more")
                }
                grace = .seconds(seconds)
            default:
                throw ConfigurationError("unknown argument \(argument); expected --dry-run and --grace-seconds N")
            }
        }
    }

    /// Runs the collection; returns one line per file, then a summary.
    public func run(settings: RegistrySettings, logger: Logger) async throws -> [String] {
        let database = try DatabaseConfiguration(url: settings.databaseURL)
        let postgres = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask { await postgres.run(); return [] }
            defer { group.cancelAll() }
            let collection = BlobCollection(
                collector: BlobCollector(store: settings.blobStore()),
                queries: PostgresRegistryQueries(client: postgres, logger: logger),
                grace: grace ?? settings.blobCollection.grace, logger: logger)
            guard let report = try await collection.run(dryRun: dryRun) else {
                throw ConfigurationError("another replica is collecting now; try again when it is done")
            }
            let verb = dryRun ? "would remove" : "removed"
            return report.removals.map { "\(verb) \($0)" } + [
                "\(report.examined) files examined, \(report.removals.count) \(verb) (\(report.bytesFreed) bytes), \(report.restored) put back"
            ]
        }
    }
}
