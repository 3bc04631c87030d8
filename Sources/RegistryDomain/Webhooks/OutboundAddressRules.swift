import Foundation

/// Which addresses the registry's own outbound requests (imports by
/// download, webhook deliveries) may reach: by default none that are
/// loopback, link-local (cloud metadata services live there), private,
/// shared, multicast, reserved or unspecified, in IPv4 or IPv6 (IPv4-mapped
/// and -compatible IPv6 addresses count as the IPv4 address they hold), so a
/// caller cannot make the registry fetch from or post to the network it
/// runs in. The operator allows exceptions by address range
/// (`IMAGE_REGISTRY_IMPORT_ALLOW`, for example `127.0.0.1/32,10.1.0.0/16`).
public struct OutboundAddressRules: Sendable, Equatable {
    /// An IPv4 or IPv6 address range, `address/prefix` (a bare address is
    /// one address).
    public struct Range: Sendable, Equatable, CustomStringConvertible {
        let address: IPAddress
        let prefix: Int

        public init(parsing text: String) throws(NameError) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, let address = IPAddress(parsing: parts[0]) else {
                throw NameError(field: "IMAGE_REGISTRY_IMPORT_ALLOW", message: "\"\(text)\" is no address or address/prefix")
            }
            let bits = address.bytes.count * 8
            let prefix = parts.count == 2 ? Int(parts[1]) : bits
            guard let prefix, (0...bits).contains(prefix) else {
                throw NameError(field: "IMAGE_REGISTRY_IMPORT_ALLOW", message: "\"\(text)\" has no valid prefix length")
            }
            self.init(address, prefix)
        }

        init(_ address: IPAddress, _ prefix: Int) {
            self.address = address
            self.prefix = prefix
        }

        func contains(_ other: IPAddress) -> Bool {
            guard other.bytes.count == address.bytes.count else { return false }
            var remaining = prefix
            for (mine, theirs) in zip(address.bytes, other.bytes) where remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
                guard mine & mask == theirs & mask else { return false }
                remaining -= 8
            }
            return true
        }

        public var description: String { "\(address)/\(prefix)" }
    }

    /// The ranges the operator allows although the defaults deny them.
    public let allowed: [Range]

    public init(allowed: [Range] = []) {
        self.allowed = allowed
    }

    /// The rules `IMAGE_REGISTRY_IMPORT_ALLOW` names (comma-separated ranges).
    public init(parsing text: String) throws(NameError) {
        var ranges: [Range] = []
        for part in text.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { ranges.append(try Range(parsing: trimmed)) }
        }
        self.init(allowed: ranges)
    }

    /// Why `address` may not be reached (naming the kind of address and
    /// the setting that would allow it), or `nil` when it may.
    public func refusal(of address: IPAddress) -> String? {
        let address = address.embeddedIPv4 ?? address
        guard let kind = Self.deniedKind(of: address), !allowed.contains(where: { $0.contains(address) }) else {
            return nil
        }
        return "\(address) is \(kind); the registry does not send requests there unless IMAGE_REGISTRY_IMPORT_ALLOW lists it"
    }

    private static let denied: [(Range, String)] = [
        ("0.0.0.0/8", "an unspecified address"), ("10.0.0.0/8", "a private address"),
        ("100.64.0.0/10", "a shared (carrier-grade NAT) address"), ("127.0.0.0/8", "a loopback address"),
        ("169.254.0.0/16", "a link-local address (where cloud metadata services answer)"),
        ("172.16.0.0/12", "a private address"), ("192.0.0.0/24", "a reserved address"),
        ("192.0.2.0/24", "a documentation address"), ("192.168.0.0/16", "a private address"),
        ("198.18.0.0/15", "a benchmarking address"), ("198.51.100.0/24", "a documentation address"),
        ("203.0.113.0/24", "a documentation address"), ("224.0.0.0/4", "a multicast address"),
        ("240.0.0.0/4", "a reserved address"), ("::/128", "an unspecified address"), ("::1/128", "a loopback address"),
        ("64:ff9b:1::/48", "a translation address"), ("100::/64", "a discard address"),
        ("2001:db8::/32", "a documentation address"), ("fc00::/7", "a unique local (private) address"),
        ("fe80::/10", "a link-local address"), ("fec0::/10", "a site-local address"), ("ff00::/8", "a multicast address"),
    ].map { text, kind in
        // These literals are valid ranges.
        (try! Range(parsing: text), kind)
    }

    private static func deniedKind(of address: IPAddress) -> String? {
        denied.first { $0.0.contains(address) }?.1
    }
}
