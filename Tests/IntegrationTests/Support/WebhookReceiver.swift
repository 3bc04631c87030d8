import Foundation
import HTTPTypes
import Hummingbird
import RegistryDomain
import Synchronization

/// A real HTTP server on 127.0.0.1 that receives webhook deliveries, as a
/// team's CI bot would: it keeps each request's headers and body, and
/// answers 503 to the first `failing` requests (so deliveries are retried).
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        let id: String
        let topic: String
        let signature: String?
        let body: [UInt8]

        /// The delivered event's id, position offset and action, from the body.
        var event: (id: String, offset: Int64, action: String)? {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                let event = object["event"] as? [String: Any], let id = event["id"] as? String,
                let position = event["position"] as? String, let offset = position.split(separator: ":").last.flatMap({ Int64($0) }),
                let action = object["action"] as? String
            else { return nil }
            return (id.lowercased(), offset, action)
        }
    }

    /// What the server has seen, shared with its route.
    private final class Log: Sendable {
        let deliveries = Mutex<[Delivery]>([])
        let refusals: Mutex<Int>

        init(refusals: Int) {
            self.refusals = Mutex(refusals)
        }
    }

    let port: Int
    private let log: Log
    private let task: Task<Void, any Error>

    init(failing: Int = 0) async throws {
        let port = try FreePort.find()
        self.port = port
        let log = Log(refusals: failing)
        self.log = log
        let (deliveries, refusals) = (log, log)
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let refuse = refusals.refusals.withLock { remaining in
                defer { remaining = max(remaining - 1, 0) }
                return remaining > 0
            }
            if refuse { return Response(status: .serviceUnavailable) }
            let headers = request.headers
            deliveries.deliveries.withLock {
                $0.append(Delivery(
                    id: headers[HTTPField.Name("X-Djinn-CI-Delivery")!] ?? "",
                    topic: headers[HTTPField.Name("X-Djinn-CI-Event")!] ?? "",
                    signature: headers[HTTPField.Name("X-Djinn-CI-Signature")!],
                    body: Array(buffer: body)))
            }
            return Response(status: .noContent)
        }
        let (running, signal) = AsyncStream.makeStream(of: Void.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { _ in signal.yield() })
        task = Task { try await app.runService() }
        for await _ in running { break }
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    var received: [Delivery] { log.deliveries.withLock { $0 } }

    func stop() {
        task.cancel()
    }
}
