import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small JSON client of the registry's HTTP API.
struct RegistryClient {
    let baseURL: URL
    let token: String?

    /// An answer: status and decoded JSON object (empty when the body is not an object).
    struct Answer {
        let status: Int
        let body: [String: Any]

        var errorMessage: String {
            ((body["error"] as? [String: Any])?["message"] as? String) ?? "HTTP \(status)"
        }
    }

    func send(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> Answer {
        guard let url = URL(string: path, relativeTo: baseURL) else {
            throw CommandFailure("invalid URL \(baseURL)\(path)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Answer(status: status, body: body)
    }
}

/// A failure reported as one line on standard error, with a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
