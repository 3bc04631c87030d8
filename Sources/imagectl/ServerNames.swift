import AsyncHTTPClient
import Foundation
import NIOCore
import RegistryAPI

/// Shell completion of names from the registry: the images and namespaces
/// the configured connection (environment or current context) may see.
/// The shell runs imagectl to complete a word and waits for it, so the
/// answer is fetched with HTTP client's event-loop future, waited for on
/// the calling thread (at most two seconds) without any other task of the
/// concurrency pool being needed; anything that fails completes nothing.
enum ServerNames {
    @Sendable static func images(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        names(path: "/v1/images?limit=1000", of: ImageResource.self, prefix: prefix) { $0.name }
    }

    @Sendable static func namespaces(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        names(path: "/v1/namespaces?limit=1000", of: NamespaceResource.self, prefix: prefix) { $0.reference }
    }

    private static func names<Item: Codable & Sendable>(
        path: String, of type: Item.Type, prefix: String, _ name: (Item) -> String
    ) -> [String] {
        guard let reader = try? Connection.parse([]).reader(),
            var request = try? HTTPClient.Request(url: reader.baseURL.trimmingSuffix("/") + path)
        else { return [] }
        if let token = reader.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        guard let response = try? HTTPClient.shared.execute(request: request, deadline: .now() + .seconds(2)).wait(),
            response.status == .ok, let body = response.body,
            let page = try? RegistryJSON.decoder().decode(Page<Item>.self, from: Data(buffer: body))
        else { return [] }
        return Set(page.items.map(name)).filter { $0.hasPrefix(prefix) }.sorted()
    }
}
