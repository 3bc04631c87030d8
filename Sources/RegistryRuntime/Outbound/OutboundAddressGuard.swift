import Dispatch
import Foundation
import RegistryDomain

#if canImport(Glibc)
import Glibc
#endif

/// Why an outbound request may not be sent: its host does not resolve, or
/// resolves to an address ``OutboundAddressRules`` deny.
public struct OutboundRefusal: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Checks the host of every URL the registry is about to request: it is
/// resolved (on a thread of its own, never the concurrency pool) and every
/// address it resolves to must be allowed. A name that resolves to one
/// allowed and one denied address is refused.
public struct OutboundAddressGuard: Sendable {
    public let rules: OutboundAddressRules

    public init(rules: OutboundAddressRules) {
        self.rules = rules
    }

    /// Passes when `url`'s host may be reached.
    public func check(_ url: URL) async throws(OutboundRefusal) {
        guard let host = url.host, !host.isEmpty else { throw OutboundRefusal(description: "\(url) has no host") }
        let addresses = try await Self.resolve(host)
        for address in addresses {
            if let refusal = rules.refusal(of: address) {
                throw OutboundRefusal(description: "\(host) resolves to \(refusal)")
            }
        }
    }

    /// The addresses `host` resolves to (itself, when it is an address).
    static func resolve(_ host: String) async throws(OutboundRefusal) -> [IPAddress] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let literal = IPAddress(parsing: bare) { return [literal] }
        let result: Result<[IPAddress], OutboundRefusal> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: lookUp(bare)) }
        }
        return try result.get()
    }

    /// `getaddrinfo`, which blocks: called on a dispatch thread.
    private static func lookUp(_ host: String) -> Result<[IPAddress], OutboundRefusal> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else {
            return .failure(OutboundRefusal(description: "\(host) does not resolve (\(String(cString: gai_strerror(status))))"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = list
        while let info = node?.pointee {
            if let text = numericHost(info.ai_addr, length: info.ai_addrlen), let address = IPAddress(parsing: text) {
                addresses.append(address)
            }
            node = info.ai_next
        }
        guard !addresses.isEmpty else { return .failure(OutboundRefusal(description: "\(host) resolves to no address")) }
        return .success(addresses)
    }

    private static func numericHost(_ address: UnsafeMutablePointer<sockaddr>?, length: socklen_t) -> String? {
        guard let address else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 else {
            return nil
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
