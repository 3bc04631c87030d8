import Foundation
import RegistryDomain

/// An import by download as the read model holds it, with what its worker
/// reported of the download so far.
public struct ImportRecord: Sendable, Equatable {
    /// Where the fold has it: waiting for (or under) a worker, or ended.
    public enum Status: String, Sendable {
        case queued, done, failed
    }

    /// Where an import is in a list, newest first.
    public struct Key: Sendable, Equatable {
        public var requestedAt: Date
        public var id: UUID

        public init(requestedAt: Date, id: UUID) {
            self.requestedAt = requestedAt
            self.id = id
        }
    }

    public var request: ImageImportRequested
    public var requestedAt: Date
    public var requestedBy: String
    public var requestedRole: ActorRole?
    public var status: Status
    /// The image it made (or the version the bytes already were), once done.
    public var imageID: UUID?
    public var errorCode: String?
    public var errorMessage: String?
    public var settledAt: Date?
    /// The worker's report, while one works on it or once it published.
    public var progress: ImportProgress?

    public init(
        request: ImageImportRequested, requestedAt: Date, requestedBy: String, requestedRole: ActorRole?,
        status: Status, imageID: UUID? = nil, errorCode: String? = nil, errorMessage: String? = nil,
        settledAt: Date? = nil, progress: ImportProgress? = nil
    ) {
        self.request = request
        self.requestedAt = requestedAt
        self.requestedBy = requestedBy
        self.requestedRole = requestedRole
        self.status = status
        self.imageID = imageID
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.settledAt = settledAt
        self.progress = progress
    }

    public var key: Key { Key(requestedAt: requestedAt, id: request.importID) }

    /// The requester as the access rules see them (an unrecorded role
    /// counts as an administrator's, as ``EventEnvelope/actorViewer`` says).
    public var requester: Viewer? {
        (try? Username(requestedBy)).map { Viewer(username: $0, isAdministrator: requestedRole != .user) }
    }
}

/// What an import's worker last reported: how far the download got.
public struct ImportProgress: Sendable, Equatable {
    public enum State: String, Sendable {
        case downloading, verifying
        /// The outcome is in the log; the fold has yet to apply it.
        case published
    }

    public var state: State
    public var bytes: Int64
    /// The size the server announced, when it did.
    public var totalBytes: Int64?
    /// Bytes of the partial file that are on disk: a worker taking the
    /// import over resumes after them.
    public var durableBytes: Int64
    /// The server's `ETag` (or `Last-Modified`), for `If-Range`.
    public var validator: String?
    public var attempts: Int
    public var lastError: String?
    public var updatedAt: Date

    public init(
        state: State, bytes: Int64, totalBytes: Int64?, durableBytes: Int64, validator: String?, attempts: Int,
        lastError: String?, updatedAt: Date = Date()
    ) {
        self.state = state
        self.bytes = bytes
        self.totalBytes = totalBytes
        self.durableBytes = durableBytes
        self.validator = validator
        self.attempts = attempts
        self.lastError = lastError
        self.updatedAt = updatedAt
    }
}

/// The imports of the read model.
public protocol ImportRepository: Sendable {
    /// One import.
    func importRecord(_ id: UUID) async throws -> ImportRecord?

    /// The newest `limit` imports that `username` requested or whose image
    /// goes to them (their personal images or namespaces), newest first,
    /// from those requested before `before` (the last of the previous page).
    func imports(of username: Username, before: ImportRecord.Key?, limit: Int) async throws -> [ImportRecord]
}

extension ImportRepository {
    /// Import `id` once it has ended, or as it is when `timeout` runs out
    /// first; `nil` when there is no such import.
    public func importRecord(_ id: UUID, waitingUpTo timeout: Duration) async throws -> ImportRecord? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let record = try await importRecord(id)
            guard let record, record.status == .queued, ContinuousClock.now < deadline else { return record }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
