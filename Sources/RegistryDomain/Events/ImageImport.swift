import Foundation

/// Data of `image-import-requested`: `url` is to be downloaded and, once
/// its bytes pass every check an upload passes, become a version of `name`
/// in the scope that `source`, `owner` and `namespace` name (as in
/// ``ImageCreated``). The import ends with an `image-created` carrying
/// `importID`, or with ``ImageImportFailed``.
public struct ImageImportRequested: Codable, Sendable, Equatable {
    public var importID: UUID
    public var source: ImageSource
    public var owner: Username?
    public var namespace: NamespacePath?
    public var name: String
    /// The URL without credentials.
    public var url: DownloadURL
    /// The URL's `user:password`, sealed (``WebhookSecretSeal``).
    public var sealedCredentials: String?
    /// The digest the caller expects; the import fails when the bytes differ.
    public var sha256: SHA256Digest?

    enum CodingKeys: String, CodingKey {
        case importID = "import_id"
        case sealedCredentials = "sealed_credentials"
        case source, owner, namespace, name, url, sha256
    }

    public init(
        importID: UUID, scope: ImageScope, url: DownloadURL, sealedCredentials: String?, sha256: SHA256Digest?
    ) {
        self.importID = importID
        (source, owner, namespace, name) = scope.fields
        self.url = url
        self.sealedCredentials = sealedCredentials
        self.sha256 = sha256
    }

    /// Where the image goes; throws for a combination no event may hold.
    public func scope() throws(NameError) -> ImageScope {
        try ImageScope(source: source, owner: owner, namespace: namespace, name: name)
    }
}

/// Data of `image-import-failed`: import `importID` ended without an image,
/// for the reason `message`; `code` is one of ``ImportFailureCode``.
public struct ImageImportFailed: Codable, Sendable, Equatable {
    public var importID: UUID
    public var code: String
    public var message: String

    enum CodingKeys: String, CodingKey {
        case importID = "import_id"
        case code, message
    }

    public init(importID: UUID, code: ImportFailureCode, message: String) {
        self.importID = importID
        self.code = code.rawValue
        self.message = message
    }
}

/// Why an import failed, for scripts (the message says it for people).
public enum ImportFailureCode: String, Sendable, CaseIterable {
    /// The server answered a status that retrying will not change.
    case downloadRefused = "download_refused"
    /// The server could not be reached or kept failing for the retry period.
    case downloadFailed = "download_failed"
    /// The URL, or a redirect, leads to an address the registry may not reach.
    case forbiddenAddress = "forbidden_address"
    case tooManyRedirects = "too_many_redirects"
    /// The bytes are not an image the registry accepts.
    case invalidImage = "invalid_image"
    case tooLarge = "payload_too_large"
    /// The bytes' digest is not the one the request expected.
    case digestMismatch = "digest_mismatch"
    /// The credentials cannot be opened with the registry's key.
    case credentialsUnreadable = "credentials_unreadable"
    /// The image does not fit a quota of its owner or its namespace's tree
    /// (checked before the download, while it runs, and before recording).
    case quotaExceeded = "quota_exceeded"
    /// The fold refused the image (its requester may no longer add it).
    case refused
}

extension ImageScope {
    /// The scope an event names by its `source`, `owner`, `namespace` and
    /// `name`: a custom image has an owner and a custom name; a base image a
    /// base name, and neither owner nor namespace.
    public init(source: ImageSource, owner: Username?, namespace: NamespacePath?, name: String) throws(NameError) {
        switch source {
        case .custom:
            guard let owner else { throw NameError(field: "owner", message: "a custom image needs an owner") }
            let imageName = try ImageName(name)
            self = namespace.map { .namespace(NamespaceReference(path: $0, owner: owner), imageName) }
                ?? .personal(owner, imageName)
        case .base:
            guard owner == nil, namespace == nil else {
                throw NameError(field: "owner", message: "a base image has no owner and no namespace")
            }
            self = .base(try BaseImageName(name, field: "name"))
        }
    }

    /// The scope as an event writes it.
    public var fields: (ImageSource, Username?, NamespacePath?, String) {
        switch self {
        case .personal(let owner, let name): (.custom, owner, nil, name.value)
        case .namespace(let namespace, let name): (.custom, namespace.owner, namespace.path, name.value)
        case .base(let name): (.base, nil, nil, name.value)
        }
    }
}
