import Foundation
import RegistryDomain

/// Body of `POST /v1/namespaces`: `{"path": "team/infra", "visibility": "private"}`;
/// `path` may be `path@owner` for a namespace in someone else's tree.
public struct CreateNamespaceRequest: Codable, Sendable, Equatable {
    public var path: String
    public var visibility: String?

    public init(path: String, visibility: String? = nil) {
        self.path = path
        self.visibility = visibility
    }
}

/// Body of `PATCH /v1/namespaces/{owner}/{path}`: what to change. A new
/// visibility applies to the namespace and every namespace below it; an
/// empty description clears it.
public struct UpdateNamespaceRequest: Codable, Sendable, Equatable {
    public var visibility: String?
    public var description: String?
    public var revokedFallback: Bool?
    public var retention: RetentionPolicy?

    public init(
        visibility: String? = nil, description: String? = nil, revokedFallback: Bool? = nil,
        retention: RetentionPolicy? = nil
    ) {
        self.visibility = visibility
        self.description = description
        self.revokedFallback = revokedFallback
        self.retention = retention
    }

    enum CodingKeys: String, CodingKey {
        case visibility, description, retention
        case revokedFallback = "revoked_fallback"
    }
}

/// Body of `POST /v1/namespaces/{owner}/{path}/collaborators` and of
/// `POST /v1/namespaces/{owner}/{path}/invites`: `{"username": "bob"}`.
public struct UsernameRequest: Codable, Sendable, Equatable {
    public var username: String

    public init(username: String) {
        self.username = username
    }
}

/// Body of `POST /v1/images` registering a file that is already stored:
/// `{"name", "namespace"?, "driver": "qemu", "location"?, "sha256", "size"}`,
/// plus `"source": "base"` for an administrator registering a base image.
/// Without a `location` the registration names the blob the registry holds
/// for `sha256`.
public struct RegisterImageRequest: Codable, Sendable, Equatable {
    public var name: String
    public var namespace: String?
    public var driver: String
    public var location: String?
    public var sha256: String
    public var size: Int64
    public var source: String?

    public init(
        name: String, namespace: String? = nil, driver: String = "qemu", location: String? = nil, sha256: String,
        size: Int64, source: String? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.driver = driver
        self.location = location
        self.sha256 = sha256
        self.size = size
        self.source = source
    }
}

/// Body of `POST /v1/images/batch`: `{"images": [registration, …]}`, each
/// registration exactly a `POST /v1/images` JSON body naming a stored file.
public struct RegisterImageBatchRequest: Codable, Sendable, Equatable {
    public var images: [RegisterImageRequest]

    public init(images: [RegisterImageRequest]) {
        self.images = images
    }
}

/// Body of `POST /v1/resolutions`:
/// `{"build_id", "user", "namespace"?, "driver": "qemu", "image"}`.
public struct RecordResolutionRequest: Codable, Sendable, Equatable {
    public var buildID: String
    public var user: String
    public var namespace: String?
    public var driver: String
    public var image: String

    public init(buildID: String, user: String, namespace: String? = nil, driver: String = "qemu", image: String) {
        self.buildID = buildID
        self.user = user
        self.namespace = namespace
        self.driver = driver
        self.image = image
    }

    enum CodingKeys: String, CodingKey {
        case buildID = "build_id"
        case user, namespace, driver, image
    }
}

/// Body of `POST /v1/namespaces/{owner}/{path}/webhooks`: where to deliver,
/// the secret that signs deliveries (optional, never shown again), which
/// topics (`images`, `namespaces`, `invites`; all when left out) and whether
/// it delivers yet (`active`, true when left out).
public struct CreateWebhookRequest: Codable, Sendable, Equatable {
    public var url: String
    public var secret: String?
    public var events: [String]?
    public var active: Bool?

    public init(url: String, secret: String? = nil, events: [String]? = nil, active: Bool? = nil) {
        self.url = url
        self.secret = secret
        self.events = events
        self.active = active
    }
}

/// `POST /v1/imports` (or `POST /v1/images` with `download_url`): download
/// an image into the registry, as Djinn CI's `download_url` does.
public struct ImportImageRequest: Codable, Sendable, Equatable {
    public var name: String
    public var namespace: String?
    public var source: String?
    /// `http` or `https`; `user:password@` in it is sent as basic auth.
    public var downloadURL: String
    /// The digest the bytes must have, when the caller knows it.
    public var sha256: String?

    enum CodingKeys: String, CodingKey {
        case name, namespace, source, sha256
        case downloadURL = "download_url"
    }

    public init(name: String, namespace: String? = nil, source: String? = nil, downloadURL: String, sha256: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.source = source
        self.downloadURL = downloadURL
        self.sha256 = sha256
    }
}

/// `POST /v1/uploads`: open a resumable upload session for a new version
/// of `name`, whose bytes then arrive in chunks.
public struct CreateUploadRequest: Codable, Sendable, Equatable {
    public var name: String
    public var namespace: String?
    public var source: String?
    /// The digest the bytes must have, when the client knows it.
    public var sha256: String?
    /// The whole upload's size, when the client knows it (checked against
    /// the size limit before any byte is stored).
    public var size: Int64?

    public init(name: String, namespace: String? = nil, source: String? = nil, sha256: String? = nil, size: Int64? = nil) {
        self.name = name
        self.namespace = namespace
        self.source = source
        self.sha256 = sha256
        self.size = size
    }
}

/// Body of `POST /v1/images/{id}/deprecate` (`{"reason", "replacement"?}`)
/// and of `POST /v1/images/{id}/revoke` (`{"reason", "effective_at"?}`, a
/// time ahead to schedule the revocation).
public struct ImageStatusRequest: Codable, Sendable, Equatable {
    public var reason: String?
    public var replacement: String?
    public var effectiveAt: Date?

    public init(reason: String? = nil, replacement: String? = nil, effectiveAt: Date? = nil) {
        self.reason = reason
        self.replacement = replacement
        self.effectiveAt = effectiveAt
    }

    enum CodingKeys: String, CodingKey {
        case reason, replacement
        case effectiveAt = "effective_at"
    }
}
