import ArgumentParser
import Foundation
import RegistryAPI

/// `imagectl image`: one image version: show, delete, or register bytes.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Show, deprecate, revoke, restore or delete one image version, or register bytes the registry verified.",
        subcommands: [Show.self, Deprecate.self, Revoke.self, Restore.self, Delete.self, Register.self])

    static let columns = ImagesCommand.columns + [
        Column<ImageResource>("VERIFIED") { String($0.verified) },
        Column("DEPRECATED") { $0.deprecation?.reason ?? "" },
        Column("REVOKED") { image in
            image.revocation.map { "\($0.reason) (from \($0.effectiveAt.formatted(Date.ISO8601FormatStyle())))" } ?? ""
        },
        Column("DELETED") { $0.deletedAt.map { $0.formatted(Date.ISO8601FormatStyle()) } ?? "" },
    ]

    struct Deprecate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a version as retiring: builds still get it, with a warning.",
            discussion: """
                Resolutions of a deprecated version answer it with a Warning header and the deprecation in the \
                body, and the audit trail records that each build got a deprecated version.

                Example: imagectl image deprecate 0193a8c2-… --reason "CVE-2026-1234" --replacement builder
                """)

        @Argument(help: "The image version's id.") var id: String
        @Option(help: "Why (shown to every build that resolves it).") var reason: String
        @Option(help: "What to use instead: name or name@sha256:<hex>.") var replacement: String?
        @OptionGroup var connection: Connection

        func run() async throws {
            try await ImageCommand.change(
                id, "deprecate", ImageStatusRequest(reason: reason, replacement: replacement), connection)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop builds from booting a version, now or at a time ahead.",
            discussion: """
                From the revocation on, resolving the version, by name or pinned by digest, answers 410 Gone with \
                the reason, unless the namespace falls back to its newest version that is not revoked \
                (imagectl namespace update … --revoked-fallback true).

                Example: imagectl image revoke 0193a8c2-… --reason "leaks a key" --at 2026-12-24T00:00:00Z
                """)

        @Argument(help: "The image version's id.") var id: String
        @Option(help: "Why (the answer to every build refused).") var reason: String
        @Option(help: "When it takes effect (RFC 3339); now if not given.") var at: String?
        @OptionGroup var connection: Connection

        func run() async throws {
            var when: Date?
            if let at {
                guard let date = (try? Date.ISO8601FormatStyle().parse(at))
                    ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(at))
                else { throw CommandFailure("--at takes an RFC 3339 time such as 2026-12-24T00:00:00Z", status: .usage) }
                when = date
            }
            try await ImageCommand.change(id, "revoke", ImageStatusRequest(reason: reason, effectiveAt: when), connection)
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo a version's deprecation and revocation.",
            discussion: "Example: imagectl image restore 0193a8c2-…")

        @Argument(help: "The image version's id.") var id: String
        @OptionGroup var connection: Connection

        func run() async throws {
            let image = try await connection.writer()
                .send(.POST, "/v1/images/\(UploadCommand.escaped(id))/restore?wait=true")
                .decode(ImageResource.self)
            print("\(image.id.uuidString.lowercased()): \(image.name) v\(image.version) restored")
        }
    }

    /// Sends a deprecation or a revocation and says what the version now is.
    static func change(_ id: String, _ verb: String, _ request: ImageStatusRequest, _ connection: Connection) async throws {
        let image = try await connection.writer()
            .send(.POST, "/v1/images/\(UploadCommand.escaped(id))/\(verb)?wait=true", json: request)
            .decode(ImageResource.self)
        let state = verb == "revoke" ? "revoked" : "deprecated"
        print("\(image.id.uuidString.lowercased()): \(image.name) v\(image.version) \(state)")
    }

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
