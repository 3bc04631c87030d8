import AsyncHTTPClient
import NIOCore
import ServiceLifecycle

/// Owns the HTTP client of the registry's own requests (webhook
/// deliveries, import downloads): shuts it down when the service stops.
public struct HTTPClientService: Service {
    public let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    /// A client that follows no redirect itself (a receiver may not send a
    /// delivery elsewhere; an import checks each redirect's address before
    /// it follows it). `read` is the longest a response may go without
    /// sending a byte; `connectionsPerHost` how many requests to one host
    /// run at once before others queue (AsyncHTTPClient's default is 8).
    public static func makeClient(read: Duration? = nil, connectionsPerHost: Int = 8) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost
        configuration.timeout = HTTPClient.Configuration.Timeout(
            connect: .seconds(10), read: read.map { .nanoseconds(Int64($0 / .nanoseconds(1))) })
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
