import ArgumentParser
import Foundation
import RegistryAPI

/// `imagectl invite`: invites to namespace trees, sent and answered.
struct InviteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invite", abstract: "Invite a user to a namespace tree, list your invites, accept or reject one.",
        subcommands: [Send.self, List.self, Accept.self, Reject.self])

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite a user to collaborate on a root namespace of yours.",
            discussion: "They become a collaborator once they accept. Example: imagectl invite send team@alice bob")

        @Argument(help: "The root namespace: path@owner.") var namespace: String
        @Argument(help: "The user to invite.") var username: String
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.writer()
            let invite = try await client.send(
                .POST, try NamespaceAddress(namespace).path + "/invites?wait=true", json: UsernameRequest(username: username)
            ).decode(InviteResource.self, expecting: [200, 201])
            print(InviteCommand.line(invite))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the invites waiting for your answer.", discussion: "Example: imagectl invite list -o json")

        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.reader()
            let invites = try await Listing.all(client, path: "/v1/invites", query: [], of: InviteResource.self)
            try output.print(invites, columns: [
                Column("ID") { $0.id.uuidString.lowercased() },
                Column("NAMESPACE") { $0.namespace },
                Column("INVITED BY") { $0.invitedBy },
                Column("STATE") { $0.state },
            ])
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept an invite: you become a collaborator.", discussion: "Example: imagectl invite accept 0193a8c2-…")

        @Argument(help: "The invite's id.") var id: String
        @OptionGroup var connection: Connection

        func run() async throws { try await InviteCommand.answer(id, "accept", connection) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject an invite (or, as its owner, withdraw it).", discussion: "Example: imagectl invite reject 0193a8c2-…")

        @Argument(help: "The invite's id.") var id: String
        @OptionGroup var connection: Connection

        func run() async throws { try await InviteCommand.answer(id, "reject", connection) }
    }

    static func answer(_ id: String, _ verb: String, _ connection: Connection) async throws {
        let client = try connection.writer()
        let invite = try await client.send(.POST, "/v1/invites/\(UploadCommand.escaped(id))/\(verb)?wait=true")
            .decode(InviteResource.self, expecting: [200])
        print(line(invite))
    }

    static func line(_ invite: InviteResource) -> String {
        "\(invite.id.uuidString.lowercased())  \(invite.namespace)  \(invite.username)  \(invite.state)"
    }
}
