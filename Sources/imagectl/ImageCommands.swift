import ArgumentParser
import Foundation
import RegistryAPI

/// `imagectl image`: one image version: show, delete, or register bytes.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Show or delete one image version, or register bytes the registry verified.",
        subcommands: [Show.self, Delete.self, Register.self])

    static let columns = ImagesCommand.columns + [
        Column<ImageResource>("VERIFIED") { String($0.verified) },
        Column("DELETED") { $0.deletedAt.map { $0.formatted(Date.ISO8601FormatStyle()) } ?? "" },
    ]

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one image version.", discussion: "Example: imagectl image show 0193a8c2-… -o yaml")

        @Argument(help: "The image version's id.") var id: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: Connection

        func run() async throws {
            let image = try await connection.reader().send(.GET, "/v1/images/\(UploadCommand.escaped(id))")
                .decode(ImageResource.self)
            try output.print(image, columns: ImageCommand.columns)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire one image version (its history stays in the audit trail).",
            discussion: """
                A version a build resolved recently (IMAGE_REGISTRY_RECENT_BUILD_HOURS on the server, a day by \
                default) is refused (exit status 3) with those builds named; --force deletes it anyway.

                Example: imagectl image delete 0193a8c2-…
                """)

        @Argument(help: "The image version's id.") var id: String
        @Flag(help: "Delete even though builds resolved the version recently.") var force = false
        @OptionGroup var connection: Connection

        func run() async throws {
            let query = force ? "?wait=true&force=true" : "?wait=true"
            let image = try await connection.writer().send(.DELETE, "/v1/images/\(UploadCommand.escaped(id))\(query)")
                .decode(ImageResource.self)
            print("\(image.id.uuidString.lowercased()): \(image.name) v\(image.version) deleted")
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register bytes the registry already verified (or, for administrators, a location).",
            discussion: """
                Any writer may register the sha256 and size of an image they can read; administrators may \
                also name a file:// file in the image store, or s3:// and https:// locations taken on trust.

                Example: imagectl image register --name copy --sha256 3b10… --size 196624
                """)

        @Option(help: "Image name.") var name: String
        @Option(help: "Namespace: path or path@owner.") var namespace: String?
        @Option(help: "custom, or base (administrators).") var source: String?
        @Option(help: "The bytes' sha256.") var sha256: String
        @Option(help: "The bytes' size.") var size: Int64
        @Option(help: "Where the bytes are (administrators).") var location: String?
        @OptionGroup var connection: Connection

        func run() async throws {
            let request = RegisterImageRequest(
                name: name, namespace: namespace, location: location, sha256: sha256, size: size, source: source)
            let image = try await connection.writer().send(.POST, "/v1/images?wait=true", json: request)
                .decode(ImageResource.self, expecting: [200, 201])
            print("\(name): version \(image.version) sha256:\(image.sha256) \(image.location)")
        }
    }
}
