import AsyncHTTPClient
import Dispatch
import Foundation
import NIOCore
import RegistryRuntime

/// What one delivery attempt got.
struct DeliveryAttempt: Sendable, Equatable {
    /// The receiver's status, when it answered.
    var statusCode: Int?
    /// Why it failed, when it did.
    var error: String?
    var duration: Duration

    /// Whether the receiver took it (2xx).
    var succeeded: Bool { statusCode.map { (200..<300).contains($0) } ?? false }

    /// Whether another attempt may succeed: the network failed, the receiver
    /// timed out, was overloaded or failed itself (408, 429, 5xx). Other
    /// answers, redirects included, are final.
    var isRetryable: Bool {
        guard let statusCode else { return error != nil }
        return statusCode == 408 || statusCode == 429 || statusCode >= 500
    }
}

/// Sends one delivery attempt.
protocol WebhookSending: Sendable {
    func send(_ body: [UInt8], to url: URL, headers: [(String, String)]) async -> DeliveryAttempt
}

/// ``WebhookSending`` through AsyncHTTPClient: a POST that follows no
/// redirect, checked against the outbound address rules just before it is
/// sent, bounded by a per-attempt timeout; the answer's body is read and
/// dropped (at most 64 KiB of it).
struct WebhookSender: WebhookSending {
    let client: HTTPClient
    let addresses: OutboundAddressGuard
    let timeout: Duration

    func send(_ body: [UInt8], to url: URL, headers: [(String, String)]) async -> DeliveryAttempt {
        let started = DispatchTime.now()
        func elapsed() -> Duration { .nanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds)) }
        do {
            try await addresses.check(url)
        } catch {
            return DeliveryAttempt(statusCode: nil, error: "not sent: \(error.description)", duration: elapsed())
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "image-registry-webhooks")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let (seconds, attoseconds) = timeout.components
            let response = try await client.execute(
                request, timeout: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
            var drained = 0
            for try await chunk in response.body {
                drained += chunk.readableBytes
                if drained > 64 << 10 { break }
            }
            return DeliveryAttempt(statusCode: Int(response.status.code), error: nil, duration: elapsed())
        } catch {
            return DeliveryAttempt(statusCode: nil, error: "\(error)", duration: elapsed())
        }
    }
}
