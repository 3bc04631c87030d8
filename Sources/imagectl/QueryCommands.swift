import ArgumentParser
import Foundation
import RegistryAPI

/// `imagectl images`: visible images.
struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images", abstract: "List visible images.",
        discussion: "Example: imagectl images --namespace team@alice -o json")

    @Option(help: "Only this namespace: path or path@owner.", completion: .custom(ServerNames.namespaces))
    var namespace: String?
    @Option(help: "Only names containing this text.") var search: String?
    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: Connection

    static let columns: [Column<ImageResource>] = [
        Column("ID") { $0.id.uuidString.lowercased() },
        Column("NAME") { $0.name },
        Column("VERSION") { String($0.version) },
        Column("NAMESPACE") { $0.namespace ?? ($0.source == .base ? "(base)" : "(personal)") },
        Column("SIZE") { String($0.size) },
        Column("SHA256") { $0.sha256 },
    ]

    func run() async throws {
        var query: [String] = []
        if let namespace { query.append("namespace=\(UploadCommand.escaped(namespace))") }
        if let search { query.append("search=\(UploadCommand.escaped(search))") }
        let client = try connection.reader()
        let images = try await Listing.all(client, path: "/v1/images", query: query, of: ImageResource.self)
        try output.print(images, columns: Self.columns)
    }
}

/// `imagectl namespaces`: visible namespaces.
struct NamespacesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "namespaces", abstract: "List visible namespaces.",
        discussion: "Example: imagectl namespaces --owner alice")

    @Option(help: "Only this owner's namespaces.") var owner: String?
    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: Connection

    func run() async throws {
        let client = try connection.reader()
        let namespaces = try await Listing.all(
            client, path: "/v1/namespaces", query: owner.map { ["owner=\(UploadCommand.escaped($0))"] } ?? [],
            of: NamespaceResource.self)
        try output.print(namespaces, columns: [
            Column("NAMESPACE") { $0.reference },
            Column("VISIBILITY") { $0.visibility.rawValue },
            Column("DESCRIPTION") { $0.description },
        ])
    }
}

/// `imagectl resolve`: what a build would boot.
struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Resolve an image name for a build's user.",
        discussion: "Example: imagectl resolve builder --build-user alice --namespace team@alice")

    @Argument(help: "Image name, or name@sha256:<digest>.", completion: .custom(ServerNames.images))
    var image: String
    @Option(help: "The build's user.") var buildUser: String
    @Option(help: "The build's namespace: path@owner.", completion: .custom(ServerNames.namespaces))
    var namespace: String?
    @Option(help: "Record the resolution for this build (the scheduler's POST /v1/resolutions), in the audit trail.")
    var record: String?
    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: Connection

    func run() async throws {
        let found: ResolutionResource
        if let record {
            let request = RecordResolutionRequest(buildID: record, user: buildUser, namespace: namespace, image: image)
            found = try await connection.writer().send(.POST, "/v1/resolutions?wait=true", json: request)
                .decode(ResolutionResource.self, expecting: [200, 202])
        } else {
            var path = "/v1/resolve?driver=qemu&image=\(UploadCommand.escaped(image))&user=\(UploadCommand.escaped(buildUser))"
            if let namespace { path += "&namespace=\(UploadCommand.escaped(namespace))" }
            found = try await connection.reader().send(.GET, path).decode(ResolutionResource.self)
        }
        try output.print(found, columns: [
            Column("SOURCE") { $0.source.rawValue },
            Column("NAME") { $0.name },
            Column("VERSION") { String($0.version) },
            Column("SHA256") { $0.sha256 },
            Column("LOCATION") { $0.location },
        ])
    }
}

/// `imagectl audit`: the event history, oldest first.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show the audit trail.",
        discussion: "Example: imagectl audit --build 4711 -o yaml")

    @Option(help: "Only this build.") var build: String?
    @Option(help: "Only this image id.") var image: String?
    @Option(help: "Only this event type.") var type: String?
    @Option(help: "Only this namespace: path@owner.") var namespace: String?
    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: Connection

    func run() async throws {
        var query: [String] = []
        for (name, value) in [("build", build), ("image", image), ("type", type), ("namespace", namespace)] {
            if let value { query.append("\(name)=\(UploadCommand.escaped(value))") }
        }
        let client = try connection.reader()
        let entries = try await Listing.all(client, path: "/v1/audit", query: query, of: AuditEntryResource.self)
        let json = RegistryJSON.encoder()
        try output.print(entries, columns: [
            Column("TIME") { $0.time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) },
            Column("POSITION") { $0.position.description },
            Column("TYPE") { $0.type },
            Column("ACTOR") { $0.actor },
            Column("DATA") { entry in (try? json.encode(entry.data)).map { String(decoding: $0, as: UTF8.self) } ?? "" },
        ])
    }
}

/// Walks every page of a list.
enum Listing {
    static func all<Item: Codable & Sendable>(
        _ client: RegistryClient, path: String, query: [String], of type: Item.Type
    ) async throws -> [Item] {
        var items: [Item] = []
        var cursor: String?
        repeat {
            let parameters = query + (cursor.map { ["cursor=\($0)"] } ?? [])
            let page = try await client.send(.GET, path + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")))
                .decode(Page<Item>.self)
            items += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return items
    }
}
