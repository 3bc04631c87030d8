import ArgumentParser
import Foundation

/// `imagectl images`: visible images, one per line.
struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List visible images.")

    @Option(help: "Only this namespace: path or path@owner.") var namespace: String?
    @Option(help: "Only names containing this text.") var search: String?
    @OptionGroup var connection: Connection

    func run() async throws {
        var query: [String] = []
        if let namespace { query.append("namespace=\(UploadCommand.escaped(namespace))") }
        if let search { query.append("search=\(UploadCommand.escaped(search))") }
        let client = try await connection.reader(scopes: [.imageRead])
        try await Listing.each(client, path: "/v1/images", query: query) { image in
            let place = (image["namespace"] as? String) ?? (image["source"] as? String == "base" ? "(base)" : "(personal)")
            print("\(image["id"] ?? "")  \(image["name"] ?? "") v\(image["version"] ?? "")  \(place)  \(image["size"] ?? "") bytes  sha256:\(image["sha256"] ?? "")")
        }
    }
}

/// `imagectl namespaces`: visible namespaces, one per line.
struct NamespacesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "namespaces", abstract: "List visible namespaces.")

    @Option(help: "Only this owner's namespaces.") var owner: String?
    @OptionGroup var connection: Connection

    func run() async throws {
        let client = try await connection.reader(scopes: [.namespaceRead])
        try await Listing.each(client, path: "/v1/namespaces", query: owner.map { ["owner=\($0)"] } ?? []) { namespace in
            print("\(namespace["reference"] ?? "")  \(namespace["visibility"] ?? "")")
        }
    }
}

/// `imagectl resolve`: what a build would boot.
struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resolve", abstract: "Resolve an image name for a build's user.")

    @Argument(help: "Image name, or name@sha256:<digest>.") var image: String
    @Option(help: "The build's user.") var buildUser: String
    @Option(help: "The build's namespace: path@owner.") var namespace: String?
    @OptionGroup var connection: Connection

    func run() async throws {
        var path = "/v1/resolve?driver=qemu&image=\(UploadCommand.escaped(image))&user=\(UploadCommand.escaped(buildUser))"
        if let namespace { path += "&namespace=\(UploadCommand.escaped(namespace))" }
        let client = try await connection.reader(scopes: [.imageResolve])
        let found = try await client.send(.GET, path).expecting([200])
        print("\(found["source"] ?? "") \(found["name"] ?? "") v\(found["version"] ?? "") sha256:\(found["sha256"] ?? "") \(found["location"] ?? "")")
    }
}

/// `imagectl audit`: the event history, oldest first.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show the audit trail.")

    @Option(help: "Only this build.") var build: String?
    @Option(help: "Only this image id.") var image: String?
    @Option(help: "Only this event type.") var type: String?
    @Option(help: "Only this namespace: path@owner.") var namespace: String?
    @OptionGroup var connection: Connection

    func run() async throws {
        var query: [String] = []
        for (name, value) in [("build", build), ("image", image), ("type", type), ("namespace", namespace)] {
            if let value { query.append("\(name)=\(UploadCommand.escaped(value))") }
        }
        let client = try await connection.reader(scopes: [.imageRead])
        try await Listing.each(client, path: "/v1/audit", query: query) { entry in
            let data = (try? JSONSerialization.data(withJSONObject: entry["data"] ?? [:], options: [.sortedKeys]))
                .map { String(decoding: $0, as: UTF8.self) } ?? ""
            print("\(entry["time"] ?? "")  \(entry["position"] ?? "")  \(entry["type"] ?? "")  by \(entry["actor"] ?? "")  \(data)")
        }
    }
}

/// Walks every page of a list.
enum Listing {
    static func each(
        _ client: RegistryClient, path: String, query: [String], _ body: ([String: Any]) -> Void
    ) async throws {
        var cursor: String?
        repeat {
            let parameters = query + (cursor.map { ["cursor=\($0)"] } ?? [])
            let page = try await client.send(.GET, path + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")))
                .expecting([200])
            for item in page["items"] as? [[String: Any]] ?? [] { body(item) }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
    }
}
