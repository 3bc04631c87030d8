import BlobStore
import Foundation
import Logging
import Metrics
import ReadModel
import RegistryDomain
import RegistryHTTP
import RegistryRuntime
import ServiceLifecycle
import Synchronization

/// Runs imports by download in an ingest replica: every replica polls the
/// read model for queued imports, claims one (``ImportWorkLog/withClaim(on:_:)``:
/// one worker at a time per import, freed the moment its worker dies),
/// downloads it (``ImportDownloader``), and records the outcome in the log:
/// `image-created` naming the import, or `image-import-failed`.
///
/// The outcome event's id and the image's id derive from the import's id,
/// so a worker that dies after recording it and before noting that it did
/// records the same event again, which the fold applies once. A download
/// that fails in a way a retry may mend (the network, a stall, 5xx) is
/// retried with backoff, resuming after its durable bytes, until the
/// retry period (counted from the request) runs out. On shutdown the
/// downloads stop, keep their partial files and are resumed by any replica.
struct ImportWorker: Service {
    let log: any ImportWorkLog
    let downloader: ImportDownloader
    let publisher: any EventPublisher
    /// The quotas an import must fit: before its download, while it runs,
    /// and before its image is recorded.
    let quotas: QuotaRules
    let seal: WebhookSecretSeal?
    /// Downloads this replica runs at once.
    let concurrency: Int
    let retryPeriod: Duration
    var pollInterval: Duration = .milliseconds(250)
    /// Names this worker in the progress it reports.
    var name = "\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await poll()
        }
    }

    private func poll() async {
        let running = RunningImports()
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                do {
                    for record in try await log.queuedImports(limit: 4 * concurrency) {
                        let id = record.request.importID
                        let started = running.ids.withLock { busy in
                            guard busy.count < concurrency, !busy.contains(id) else { return false }
                            busy.insert(id)
                            return true
                        }
                        guard started else { continue }
                        group.addTask {
                            await claimAndRun(id)
                            running.ids.withLock { _ = $0.remove(id) }
                        }
                    }
                } catch {
                    logger.warning("could not read the queued imports", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: pollInterval)
            }
        }
    }

    private func claimAndRun(_ id: UUID) async {
        do {
            _ = try await log.withClaim(on: id) { try await work(on: id) }
        } catch is CancellationError {
            logger.info("import stopped for shutdown; another replica resumes it", metadata: ["import.id": "\(id)"])
        } catch {
            logger.warning("import attempt ended early", metadata: ["import.id": "\(id)", "error": "\(error)"])
        }
    }

    /// Works on import `id` while holding its claim, until it has an outcome.
    private func work(on id: UUID) async throws {
        guard let record = try await log.current(id), record.status == .queued,
            record.progress?.state != .published
        else { return }
        let request = record.request
        var credentials: DownloadCredentials?
        if let sealed = request.sealedCredentials {
            guard let opened = seal?.open(sealed).flatMap(DownloadCredentials.init(joined:)) else {
                return try await publishOutcome(of: record, .imageImportFailed(ImageImportFailed(
                    importID: id, code: .credentialsUnreadable,
                    message: "the URL's credentials cannot be opened: IMAGE_REGISTRY_WEBHOOK_KEY is not the key they were sealed with")))
            }
            credentials = opened
        }
        var progress = record.progress ?? ImportProgress(
            state: .downloading, bytes: 0, totalBytes: nil, durableBytes: 0, validator: nil, attempts: 0, lastError: nil)
        let giveUpAt = record.requestedAt.addingTimeInterval(Double(retryPeriod / .milliseconds(1)) / 1000)
        let report: (ImportProgress) async throws -> Void = { try await log.record($0, of: id, worker: name) }
        logger.info("import started", metadata: [
            "import.id": "\(id)", "url": "\(request.url)", "resume.from": "\(progress.durableBytes)",
        ])
        while true {
            progress.attempts += 1
            do {
                let scope = try request.scope()
                let allowance = try await Self.underQuota {
                    try await quotas.admitUpload(into: scope, declaring: nil).map { remaining, standing in
                        ByteAllowance(
                            bytes: remaining,
                            refusal: "quota exceeded: \(standing.quota.scopeDescription) has \(remaining) bytes left")
                    }
                }
                let blob = try await downloader.download(
                    request, credentials: credentials, quota: allowance, progress: &progress, report: report)
                // Others may have stored versions meanwhile; the bytes the scope already holds cost nothing.
                try await Self.underQuota { try await quotas.admit(scope, bytes: blob.size, digest: blob.digest) }
                let created = scope.created(
                    imageID: EventID.derived(from: "import-image\u{0}\(id.uuidString.lowercased())"), driver: .qemu,
                    location: blob.location, sha256: blob.digest, size: blob.size, verified: true, importID: id)
                Counter(label: "registry_imports_total", dimensions: [("outcome", "done")]).increment()
                return try await publishOutcome(of: record, .imageCreated(created), progress: progress)
            } catch let failure as ImportFailure {
                await downloader.blobs.removePartial(of: id)
                Counter(label: "registry_imports_total", dimensions: [("outcome", "failed")]).increment()
                return try await publishOutcome(
                    of: record, .imageImportFailed(ImageImportFailed(importID: id, code: failure.code, message: failure.message)),
                    progress: progress)
            } catch {
                if Task.isCancelled {
                    try? await report(progress)
                    throw CancellationError()
                }
                progress.lastError = "\(error)"
                try? await report(progress)
                guard Date() < giveUpAt else {
                    await downloader.blobs.removePartial(of: id)
                    Counter(label: "registry_imports_total", dimensions: [("outcome", "failed")]).increment()
                    return try await publishOutcome(of: record, .imageImportFailed(ImageImportFailed(
                        importID: id, code: .downloadFailed,
                        message: "the download kept failing for \(retryPeriod) (\(progress.attempts) attempts); the last error: \(error)")),
                        progress: progress)
                }
                logger.warning("import download failed; retrying", metadata: [
                    "import.id": "\(id)", "attempt": "\(progress.attempts)", "error": "\(error)",
                ])
                try await Task.sleep(for: .seconds(min(60, 1 << min(progress.attempts, 6))))
            }
        }
    }

    /// Runs a quota check, its refusal turned into the import's failure.
    private static func underQuota<Value>(_ check: () async throws -> Value) async throws -> Value {
        do {
            return try await check()
        } catch let refusal as APIError where refusal.code == "quota_exceeded" {
            throw ImportFailure(code: .quotaExceeded, message: refusal.message)
        }
    }

    /// Records the import's outcome as its requester's event, keyed as the
    /// request was, and notes that it is recorded.
    private func publishOutcome(
        of record: ImportRecord, _ event: RegistryEvent, progress: ImportProgress? = nil
    ) async throws {
        let id = record.request.importID
        let requester = try Username(record.requestedBy)
        let envelope = EventEnvelope(
            id: EventID.derived(from: "import-outcome\u{0}\(id.uuidString.lowercased())"), source: "image-ingest",
            actor: requester, actorRole: record.requestedRole, subject: try record.request.scope().subject,
            event: event)
        let position = try await Backoff.retrying(
            "could not record an import's outcome", logger: logger, metadata: ["import.id": "\(id)"]
        ) { try await publisher.publish(envelope) }
        var published = progress ?? ImportProgress(
            state: .published, bytes: 0, totalBytes: nil, durableBytes: 0, validator: nil, attempts: 0, lastError: nil)
        published.state = .published
        try await log.record(published, of: id, worker: name)
        logger.info("import ended", metadata: [
            "import.id": "\(id)", "event.type": "\(envelope.type.rawValue)", "position": "\(position)",
        ])
    }
}

/// The imports a worker's downloads are busy with.
private final class RunningImports: Sendable {
    let ids = Mutex<Set<UUID>>([])
}
