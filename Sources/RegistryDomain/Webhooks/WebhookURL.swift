import Foundation

/// Where a webhook delivers: an absolute `http` or `https` URL with a host,
/// no credentials and no fragment, at most ``maximumLength`` bytes. Whether
/// its host may be reached is the delivering service's decision
/// (``OutboundAddressRules``), made again at every delivery.
public struct WebhookURL: ValidatedString {
    public static let maximumLength = 2048

    public let value: String
    /// The parsed URL.
    public let url: URL

    public init(_ text: String, field: String = "url") throws(NameError) {
        guard text.utf8.count <= Self.maximumLength else {
            throw NameError(field: field, message: "must be at most \(Self.maximumLength) bytes")
        }
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }),
            let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            let url = components.url
        else {
            throw NameError(field: field, message: "must be an absolute http or https URL (got \"\(text)\")")
        }
        guard components.user == nil, components.password == nil else {
            throw NameError(field: field, message: "must not hold credentials: sign deliveries with a secret instead")
        }
        guard components.fragment == nil else { throw NameError(field: field, message: "must not have a fragment") }
        self.value = text
        self.url = url
    }

    public init(validating text: String) throws(NameError) {
        try self.init(text)
    }

    public var text: String { value }
    public var description: String { value }
}
