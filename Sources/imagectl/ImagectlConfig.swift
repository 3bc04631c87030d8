import Foundation
import Yams

/// `$XDG_CONFIG_HOME/imagectl/config.yaml` (or `~/.config/…`): named
/// contexts (a registry's URLs and where its token comes from) and the
/// current one, as kubectl keeps clusters.
///
/// ```yaml
/// current-context: production
/// contexts:
///   production:
///     url: https://registry.example.com
///     token-command: pass show registry/token
///   local:
///     url: http://127.0.0.1:8080
///     query-url: http://127.0.0.1:8081
///     token-file: ~/.config/imagectl/tokens/local
/// ```
struct ImagectlConfig: Codable, Equatable {
    struct Context: Codable, Equatable {
        var url: String
        var queryURL: String?
        var tokenFile: String?
        var tokenCommand: String?

        enum CodingKeys: String, CodingKey {
            case url
            case queryURL = "query-url"
            case tokenFile = "token-file"
            case tokenCommand = "token-command"
        }
    }

    var currentContext: String?
    var contexts: [String: Context] = [:]

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case contexts
    }

    static var directory: URL {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return base.appendingPathComponent("imagectl")
    }

    static var path: URL { directory.appendingPathComponent("config.yaml") }

    /// The config file, or an empty config when there is none.
    static func load() throws -> ImagectlConfig {
        guard let text = try? String(contentsOf: path, encoding: .utf8) else { return ImagectlConfig() }
        do {
            return try YAMLDecoder().decode(ImagectlConfig.self, from: text)
        } catch {
            throw CommandFailure("\(path.path) is not a valid imagectl config: \(error)")
        }
    }

    func save() throws {
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        try YAMLEncoder().encode(self).write(to: Self.path, atomically: true, encoding: .utf8)
    }
}
