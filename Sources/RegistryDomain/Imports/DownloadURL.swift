import Foundation

/// Where an import downloads from: an absolute `http` or `https` URL with a
/// host and no fragment, as ``WebhookURL`` requires, and never with
/// credentials: those are taken out of the URL a caller sends
/// (``splitting(_:field:)``) and kept sealed, apart from it, so the log,
/// the read model and every answer show the URL without them.
public struct DownloadURL: ValidatedString {
    public let value: String
    /// The parsed URL.
    public let url: URL

    public init(validating text: String) throws(NameError) {
        let checked = try WebhookURL(text, field: "download_url")
        value = checked.value
        url = checked.url
    }

    /// The URL a caller sent, without its `user:password@`, and those
    /// credentials (`user:password`, percent-decoded), when it held any.
    public static func splitting(_ text: String, field: String = "download_url") throws(NameError)
        -> (url: DownloadURL, credentials: DownloadCredentials?)
    {
        guard text.utf8.count <= WebhookURL.maximumLength,
            !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }),
            var components = URLComponents(string: text)
        else {
            throw NameError(field: field, message: "must be an absolute http or https URL (got \"\(text)\")")
        }
        var credentials: DownloadCredentials?
        if components.user != nil || components.password != nil {
            credentials = try DownloadCredentials(user: components.user ?? "", password: components.password ?? "")
            components.user = nil
            components.password = nil
        }
        guard let bare = components.string else {
            throw NameError(field: field, message: "must be an absolute http or https URL")
        }
        do {
            return (try DownloadURL(validating: bare), credentials)
        } catch {
            throw NameError(field: field, message: error.message)
        }
    }

    public var text: String { value }
    public var description: String { value }
}

/// The basic-auth credentials of a download, as Djinn CI takes them from
/// the URL. They are only ever written down sealed (``WebhookSecretSeal``).
public struct DownloadCredentials: Sendable, Equatable {
    public let user: String
    public let password: String

    public init(user: String, password: String) throws(NameError) {
        guard !user.isEmpty, (user + password).utf8.count <= WebhookSecretSeal.maximumSecretLength,
            !(user + password).unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw NameError(
                field: "download_url",
                message: "credentials must name a user and be at most \(WebhookSecretSeal.maximumSecretLength) bytes without control characters")
        }
        self.user = user
        self.password = password
    }

    /// `user:password`, the form they are sealed in.
    public var joined: String { "\(user):\(password)" }

    /// The credentials `joined` holds.
    public init?(joined: String) {
        guard let colon = joined.firstIndex(of: ":"),
            let credentials = try? DownloadCredentials(
                user: String(joined[..<colon]), password: String(joined[joined.index(after: colon)...]))
        else { return nil }
        self = credentials
    }

    /// The `Authorization` header's value.
    public var authorization: String { "Basic " + Data(joined.utf8).base64EncodedString() }
}
