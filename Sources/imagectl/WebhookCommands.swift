import ArgumentParser
import Foundation
import RegistryAPI

/// `imagectl webhook`: a namespace's webhooks and their deliveries.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Add, list and delete a namespace's webhooks; see and redeliver deliveries.",
        subcommands: [Create.self, List.self, Delete.self, Deliveries.self, Redeliver.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver a namespace's events (and those below it) to a URL.",
            discussion: """
                Deliveries are signed with the secret (X-Djinn-CI-Signature: sha256=<HMAC>), which is never shown again. \
                Example: imagectl webhook create team@alice https://ci.example.com/hook --secret s3cret --events images
                """)

        @Argument(help: "The namespace: path@owner.") var namespace: String
        @Argument(help: "The http:// or https:// URL deliveries go to.") var url: String
        @Option(help: "The secret that signs deliveries.") var secret: String?
        @Option(parsing: .upToNextOption, help: "images, namespaces, invites (default: all).") var events: [String] = []
        @Flag(help: "Add it switched off.") var inactive = false
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.writer()
            let request = CreateWebhookRequest(
                url: url, secret: secret, events: events.isEmpty ? nil : events, active: !inactive)
            let webhook = try await client.send(
                .POST, try NamespaceAddress(namespace).path + "/webhooks?wait=true", json: request
            ).decode(WebhookResource.self, expecting: [201])
            print(WebhookCommand.line(webhook))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a namespace's webhooks.", discussion: "Example: imagectl webhook list team@alice")

        @Argument(help: "The namespace: path@owner.") var namespace: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.reader()
            let webhooks = try await Listing.all(
                client, path: try NamespaceAddress(namespace).path + "/webhooks", query: [], of: WebhookResource.self)
            try output.print(webhooks, columns: [
                Column("ID") { $0.id.uuidString.lowercased() },
                Column("URL") { $0.url },
                Column("EVENTS") { $0.events.joined(separator: ",") },
                Column("ACTIVE") { String($0.active) },
                Column("SIGNED") { String($0.hasSecret) },
            ])
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a webhook's deliveries.", discussion: "Example: imagectl webhook delete team@alice 0193a8c2-…")

        @Argument(help: "The namespace: path@owner.") var namespace: String
        @Argument(help: "The webhook's id.") var id: String
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.writer()
            let webhook = try await client.send(
                .DELETE, try NamespaceAddress(namespace).path + "/webhooks/\(UploadCommand.escaped(id))?wait=true"
            ).decode(WebhookResource.self, expecting: [200])
            print("\(webhook.id.uuidString.lowercased()): deleted")
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a webhook's latest deliveries, newest first.",
            discussion: "Example: imagectl webhook deliveries team@alice 0193a8c2-… -o json")

        @Argument(help: "The namespace: path@owner.") var namespace: String
        @Argument(help: "The webhook's id.") var id: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.reader()
            let path = try NamespaceAddress(namespace).path + "/webhooks/\(UploadCommand.escaped(id))/deliveries"
            let deliveries = try await Listing.all(client, path: path, query: [], of: WebhookDeliveryResource.self)
            try output.print(deliveries, columns: [
                Column("ID") { $0.id.uuidString.lowercased() },
                Column("EVENT") { "\($0.event)/\($0.action)" },
                Column("STATE") { $0.state },
                Column("STATUS") { $0.statusCode.map(String.init) ?? "-" },
                Column("ATTEMPTS") { String($0.attempts) },
                Column("MS") { String($0.durationMilliseconds) },
                Column("ERROR") { $0.error ?? "" },
            ])
        }
    }

    struct Redeliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send one delivery again, as it was.",
            discussion: "Example: imagectl webhook redeliver team@alice WEBHOOK_ID DELIVERY_ID")

        @Argument(help: "The namespace: path@owner.") var namespace: String
        @Argument(help: "The webhook's id.") var id: String
        @Argument(help: "The delivery's id.") var delivery: String
        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.writer()
            let path = try NamespaceAddress(namespace).path
                + "/webhooks/\(UploadCommand.escaped(id))/deliveries/\(UploadCommand.escaped(delivery))/redeliver"
            let answer = try await client.send(.POST, path).decode(AcceptedResource.self, expecting: [202])
            print("redelivery recorded at \(answer.event.position)")
        }
    }

    static func line(_ webhook: WebhookResource) -> String {
        "\(webhook.id.uuidString.lowercased())  \(webhook.namespace)  \(webhook.url)  \(webhook.events.joined(separator: ","))  "
            + (webhook.active ? "active" : "inactive") + (webhook.hasSecret ? "  signed" : "")
    }
}
