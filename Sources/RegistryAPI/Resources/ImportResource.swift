import Foundation

/// An import by download, as the API shows it: never the URL's credentials.
///
/// `status` is `queued` until a worker starts, `downloading` while bytes
/// arrive (`bytes` so far of `total_bytes`, when the server said), then
/// `verifying` while the whole file is checked, and `done` (with `image`)
/// or `failed` (with `error`) at the end.
public struct ImportResource: Codable, Sendable, Equatable {
    /// Why a failed import failed.
    public struct Failure: Codable, Sendable, Equatable {
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var id: UUID
    public var status: String
    public var name: String
    /// `path@owner`, when the image goes to a namespace.
    public var namespace: String?
    public var owner: String?
    public var source: String
    /// The URL, without credentials.
    public var downloadURL: String
    /// Whether the URL carried credentials (kept sealed, never shown).
    public var hasCredentials: Bool
    /// The digest the request expected, when it named one.
    public var sha256: String?
    public var bytes: Int64
    public var totalBytes: Int64?
    /// How many times a worker started (or resumed) the download.
    public var attempts: Int
    /// The latest error a worker is retrying after, while it still retries.
    public var lastError: String?
    public var error: Failure?
    public var image: ImageResource?
    public var requestedBy: String
    public var requestedAt: Date
    public var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, status, name, namespace, owner, source, sha256, bytes, attempts, error, image
        case downloadURL = "download_url"
        case hasCredentials = "has_credentials"
        case totalBytes = "total_bytes"
        case lastError = "last_error"
        case requestedBy = "requested_by"
        case requestedAt = "requested_at"
        case finishedAt = "finished_at"
    }

    public init(
        id: UUID, status: String, name: String, namespace: String?, owner: String?, source: String,
        downloadURL: String, hasCredentials: Bool, sha256: String?, bytes: Int64, totalBytes: Int64?, attempts: Int,
        lastError: String?, error: Failure?, image: ImageResource?, requestedBy: String, requestedAt: Date,
        finishedAt: Date?
    ) {
        self.id = id
        self.status = status
        self.name = name
        self.namespace = namespace
        self.owner = owner
        self.source = source
        self.downloadURL = downloadURL
        self.hasCredentials = hasCredentials
        self.sha256 = sha256
        self.bytes = bytes
        self.totalBytes = totalBytes
        self.attempts = attempts
        self.lastError = lastError
        self.error = error
        self.image = image
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.finishedAt = finishedAt
    }

    /// Whether the import has ended (`done` or `failed`).
    public var hasEnded: Bool { status == "done" || status == "failed" }
}
