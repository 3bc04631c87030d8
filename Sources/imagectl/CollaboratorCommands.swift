import ArgumentParser
import Foundation
import RegistryAPI

/// `imagectl collaborator`: administrators add collaborators directly;
/// owners remove them (owners invite: `imagectl invite send`).
struct CollaboratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collaborator", abstract: "Add (administrators) or remove a root namespace's collaborator.",
        subcommands: [Add.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a collaborator directly (administrators; owners invite instead).",
            discussion: "Example: imagectl collaborator add team@alice bob")

        @Argument(help: "The root namespace: path@owner.") var namespace: String
        @Argument(help: "The user.") var username: String
        @OptionGroup var connection: Connection

        func run() async throws {
            let changed = try await connection.writer().send(
                .POST, try NamespaceAddress(namespace).path + "/collaborators?wait=true",
                json: UsernameRequest(username: username)
            ).decode(NamespaceResource.self, expecting: [200, 201])
            print("\(changed.reference): \((changed.collaborators ?? []).joined(separator: ", "))")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a collaborator (the owner, or administrators).",
            discussion: "Example: imagectl collaborator remove team@alice bob")

        @Argument(help: "The root namespace: path@owner.") var namespace: String
        @Argument(help: "The user.") var username: String
        @OptionGroup var connection: Connection

        func run() async throws {
            let changed = try await connection.writer().send(
                .DELETE,
                try NamespaceAddress(namespace).path + "/collaborators/\(UploadCommand.escaped(username))?wait=true"
            ).decode(NamespaceResource.self, expecting: [200])
            print("\(changed.reference): \((changed.collaborators ?? []).joined(separator: ", "))")
        }
    }
}
