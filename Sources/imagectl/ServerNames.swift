import Dispatch
import Foundation
import RegistryAPI
import Synchronization

/// Shell completion of names from the registry: the images and namespaces
/// the configured connection (environment or current context) may see.
/// The shell runs imagectl to complete a word, and waits for it, so the
/// answer is fetched while the calling thread waits, at most two seconds;
/// anything that fails completes nothing.
enum ServerNames {
    @Sendable static func images(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        names(path: "/v1/images?limit=1000", of: ImageResource.self, prefix: prefix) { $0.name }
    }

    @Sendable static func namespaces(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        names(path: "/v1/namespaces?limit=1000", of: NamespaceResource.self, prefix: prefix) { $0.reference }
    }

    private static func names<Item: Codable & Sendable>(
        path: String, of type: Item.Type, prefix: String, _ name: @escaping @Sendable (Item) -> String
    ) -> [String] {
        let found = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            guard let reader = try? Connection.parse([]).reader(),
                let page = try? await reader.send(.GET, path, timeout: .seconds(2)).decode(Page<Item>.self)
            else { return }
            let names = Set(page.items.map(name)).filter { $0.hasPrefix(prefix) }.sorted()
            found.withLock { $0 = names }
        }
        _ = done.wait(timeout: .now() + 2.5)
        return found.withLock { $0 }
    }
}
