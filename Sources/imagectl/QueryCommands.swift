import ArgumentParser
import Foundation
import RegistryAPI

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
        try await Listing.each(client, path: "/v1/images", query: query, of: ImageResource.self) { image in
            let place = image.namespace ?? (image.source == .base ? "(base)" : "(personal)")
            print("\(image.id)  \(image.name) v\(image.version)  \(place)  \(image.size) bytes  sha256:\(image.sha256)")
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
        try await Listing.each(
            client, path: "/v1/namespaces", query: owner.map { ["owner=\($0)"] } ?? [], of: NamespaceResource.self
        ) { namespace in
            print("\(namespace.reference)  \(namespace.visibility.rawValue)")
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
        let found = try await client.send(.GET, path).decode(ResolutionResource.self)
        print("\(found.source.rawValue) \(found.name) v\(found.version) sha256:\(found.sha256) \(found.location)")
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
        let json = RegistryJSON.encoder()
        try await Listing.each(client, path: "/v1/audit", query: query, of: AuditEntryResource.self) { entry in
            let data = (try? json.encode(entry.data)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let time = entry.time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            print("\(time)  \(entry.position)  \(entry.type)  by \(entry.actor)  \(data)")
        }
    }
}

/// Walks every page of a list.
enum Listing {
    static func each<Item: Codable & Sendable>(
        _ client: RegistryClient, path: String, query: [String], of type: Item.Type, _ body: (Item) -> Void
    ) async throws {
        var cursor: String?
        repeat {
            let parameters = query + (cursor.map { ["cursor=\($0)"] } ?? [])
            let page = try await client.send(.GET, path + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")))
                .decode(Page<Item>.self)
            page.items.forEach(body)
            cursor = page.nextCursor
        } while cursor != nil
    }
}
