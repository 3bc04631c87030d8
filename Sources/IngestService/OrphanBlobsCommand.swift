import BlobStore
import Foundation
import Logging
import PostgresNIO
import ReadModel
import RegistryDomain
import RegistryHTTP
import RegistryRuntime

/// `image-ingest orphans [--remove] [--older-than-hours N]`: lists (and with
/// `--remove` deletes) what the blob store holds that no image names —
/// uploads whose event was never recorded, `.part` files a crash left —
/// once older than the grace period (24 hours unless told). Request
/// handlers never delete blobs; this operator command is the only way one
/// goes, until garbage collection of deleted images exists.
public struct OrphanBlobsCommand: Sendable {
    public static let defaultGraceHours = 24

    public var remove: Bool
    public var graceHours: Int

    /// Reads `--remove` and `--older-than-hours N` from `arguments`.
    public init(arguments: [String]) throws {
        remove = arguments.contains("--remove")
        graceHours = Self.defaultGraceHours
        if let index = arguments.firstIndex(of: "--older-than-hours") {
            guard index + 1 < arguments.count, let hours = Int(arguments[index + 1]), hours >= 1 else {
                throw ConfigurationError("--older-than-hours takes a whole number of hours, at least 1")
            }
            graceHours = hours
        }
        let known: Set<String> = ["--remove", "--older-than-hours"]
        for (index, argument) in arguments.enumerated() where !known.contains(argument) {
            guard index > 0, arguments[index - 1] == "--older-than-hours" else {
                throw ConfigurationError("unknown argument \(argument); expected --remove and --older-than-hours N")
            }
        }
    }

    /// Lists or removes the orphans; returns one line per file.
    public func run(settings: RegistrySettings, logger: Logger) async throws -> [String] {
        let database = try DatabaseConfiguration(url: settings.databaseURL)
        let postgres = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask { await postgres.run(); return [] }
            defer { group.cancelAll() }
            let queries = PostgresRegistryQueries(client: postgres, logger: logger)
            let inventory = BlobInventory(store: FileBlobStore(
                root: settings.blobDirectory, maximumSize: settings.maximumUploadBytes, validator: QCOW2Validator(),
                wholeImageCheck: QemuImageCheck(qemuImg: settings.qemuImg)))
            let orphans = try await inventory.orphans(olderThan: .seconds(graceHours * 3600)) { digests in
                try await queries.referencedDigests(digests)
            }
            var lines: [String] = []
            for orphan in orphans {
                if remove { try await inventory.remove(orphan) }
                lines.append("\(remove ? "removed" : "orphan") \(orphan)")
            }
            return lines
        }
    }
}
