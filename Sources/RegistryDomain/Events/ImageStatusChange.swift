import Foundation

/// Data of `image-deprecated`, `image-revoked` and `image-restored`: one
/// image version is marked as retiring (it still resolves, with a warning),
/// as revoked (builds may no longer boot it, from `effectiveAt` on), or
/// restored (neither any more).
public struct ImageStatusChange: Sendable, Equatable {
    /// Which of the three facts this is; the event type says it on the wire.
    public enum Kind: String, Sendable, CaseIterable {
        case deprecated, revoked, restored

        /// What a caller does to make it: `deprecate`, `revoke`, `restore`
        /// (the route's last segment, and the word refusals use).
        public var verb: String {
            switch self {
            case .deprecated: "deprecate"
            case .revoked: "revoke"
            case .restored: "restore"
            }
        }
    }

    /// The longest reason, in characters.
    public static let maximumReasonLength = 1024

    public var kind: Kind
    public var imageID: UUID
    /// Why; required for a deprecation and a revocation, absent on a restore.
    public var reason: String?
    /// What to use instead (`name` or `name@sha256:<hex>`); deprecations only.
    public var replacement: String?
    /// When a revocation takes effect; `nil` means at the event's own time.
    public var effectiveAt: Date?

    public init(kind: Kind, imageID: UUID, reason: String? = nil, replacement: String? = nil, effectiveAt: Date? = nil) {
        self.kind = kind
        self.imageID = imageID
        self.reason = reason
        self.replacement = replacement
        self.effectiveAt = effectiveAt.map(EventTime.wholeMilliseconds)
    }

    /// The event type of this change.
    public var type: EventType {
        switch kind {
        case .deprecated: .imageDeprecated
        case .revoked: .imageRevoked
        case .restored: .imageRestored
        }
    }

    /// Checks what decoding cannot: a reason where one is needed (short
    /// text without control characters), a replacement that names an image,
    /// and only the fields this kind of change has.
    public func validate() throws(NameError) {
        switch kind {
        case .deprecated, .revoked:
            guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw NameError(field: "reason", message: "is required: say why the image is \(kind.rawValue)")
            }
            try FreeText.validate(reason, field: "reason", maximumLength: Self.maximumReasonLength)
        case .restored:
            guard reason == nil else { throw NameError(field: "reason", message: "is not part of a restore") }
        }
        if let replacement {
            guard kind == .deprecated else {
                throw NameError(field: "replacement", message: "is part of a deprecation only")
            }
            let reference = try ImageReference(parsing: replacement, field: "replacement")
            guard (try? ImageName(reference.name, field: "replacement")) != nil
                || (try? BaseImageName(reference.name, field: "replacement")) != nil
            else {
                throw NameError(field: "replacement", message: "must name an image (name or name@sha256:<hex>)")
            }
        }
        if effectiveAt != nil, kind != .revoked {
            throw NameError(field: "effective_at", message: "is part of a revocation only")
        }
    }
}

extension ImageStatusChange {
    /// The JSON data of the event: the kind is its type, not a field.
    struct Payload: Codable {
        var imageID: UUID
        var reason: String?
        var replacement: String?
        var effectiveAt: String?

        enum CodingKeys: String, CodingKey {
            case imageID = "image_id"
            case reason, replacement
            case effectiveAt = "effective_at"
        }
    }

    var payload: Payload {
        Payload(imageID: imageID, reason: reason, replacement: replacement, effectiveAt: effectiveAt.map(EventTime.text))
    }

    /// The change of `kind` that `payload` describes.
    init(kind: Kind, payload: Payload) throws(NameError) {
        let effectiveAt = try payload.effectiveAt.map { text throws(NameError) in
            try EventTime.date(text, field: "effective_at")
        }
        self.init(
            kind: kind, imageID: payload.imageID, reason: payload.reason, replacement: payload.replacement,
            effectiveAt: effectiveAt)
    }
}

/// A version's retirement notice, as resolutions and image listings show it.
public struct Deprecation: Codable, Sendable, Equatable {
    public var since: Date
    public var reason: String
    public var replacement: String?

    public init(since: Date, reason: String, replacement: String?) {
        self.since = since
        self.reason = reason
        self.replacement = replacement
    }

    enum CodingKeys: String, CodingKey { case since, reason, replacement }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        since = try EventTime.date(container.decode(String.self, forKey: .since), field: "since")
        reason = try container.decode(String.self, forKey: .reason)
        replacement = try container.decodeIfPresent(String.self, forKey: .replacement)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(EventTime.text(since), forKey: .since)
        try container.encode(reason, forKey: .reason)
        try container.encodeIfPresent(replacement, forKey: .replacement)
    }
}

/// A version's revocation: from `effectiveAt` on, no build may boot it.
public struct Revocation: Codable, Sendable, Equatable {
    public var effectiveAt: Date
    public var reason: String

    public init(effectiveAt: Date, reason: String) {
        self.effectiveAt = effectiveAt
        self.reason = reason
    }

    /// Whether the revocation has taken effect at `now`.
    public func isEffective(at now: Date = Date()) -> Bool { effectiveAt <= now }

    enum CodingKeys: String, CodingKey {
        case effectiveAt = "effective_at"
        case reason
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        effectiveAt = try EventTime.date(container.decode(String.self, forKey: .effectiveAt), field: "effective_at")
        reason = try container.decode(String.self, forKey: .reason)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(EventTime.text(effectiveAt), forKey: .effectiveAt)
        try container.encode(reason, forKey: .reason)
    }
}

/// Times inside event data: RFC 3339 with milliseconds, the precision the
/// log keeps, written and read as the envelope's time is, so that a
/// decoded event equals the encoded one.
public enum EventTime {
    public static func text(_ date: Date) -> String { CloudEventsCodec.formatTime(date) }

    /// `date` trimmed to the milliseconds the log keeps, so that a decoded
    /// event equals the one that was encoded.
    public static func wholeMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    public static func date(_ text: String, field: String) throws(NameError) -> Date {
        guard let date = CloudEventsCodec.parseTime(text) else {
            throw NameError(field: field, message: "must be an RFC 3339 time such as 2026-12-03T12:00:00.000Z")
        }
        return date
    }
}

/// Short free text a user writes (a description, a reason): a length limit
/// and no control characters, line breaks included.
public enum FreeText {
    public static func validate(_ text: String, field: String, maximumLength: Int) throws(NameError) {
        guard text.count <= maximumLength else {
            throw NameError(field: field, message: "must be at most \(maximumLength) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw NameError(field: field, message: "must not contain control characters or line breaks")
        }
    }
}
