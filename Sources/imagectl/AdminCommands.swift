import ArgumentParser
import Foundation
import RegistryAPI

/// `imagectl dead-letters`: records the projection could not apply (administrators).
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters", abstract: "List the records the projection could not apply (administrators).",
        discussion: "Example: imagectl dead-letters -o json")

    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: Connection

    func run() async throws {
        let letters = try await Listing.all(
            try connection.reader(), path: "/v1/admin/dead-letters", query: [], of: DeadLetterResource.self)
        try output.print(letters, columns: [
            Column("POSITION") { $0.position.description },
            Column("RECORDED") { $0.recordedAt.formatted(Date.ISO8601FormatStyle()) },
            Column("REASON") { $0.reason },
        ])
    }
}

/// `imagectl health`: whether each side of the registry is up and ready.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Check that the registry's write and read sides are up and ready.",
        discussion: "Exits 75 when either side is not ready. Example: imagectl health --url https://registry.example.com")

    struct Side: Encodable {
        let side: String
        let url: String
        let ready: Bool
        let detail: String
    }

    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: Connection

    func run() async throws {
        var sides: [Side] = []
        for (name, client) in [("write", try connection.writer()), ("read", try connection.reader())] {
            do {
                let answer = try await client.send(.GET, "/readyz")
                sides.append(Side(
                    side: name, url: client.baseURL, ready: answer.status == 200,
                    detail: answer.status == 200 ? "ready" : answer.errorMessage))
            } catch {
                sides.append(Side(side: name, url: client.baseURL, ready: false, detail: "\(error)"))
            }
        }
        try output.print(sides, columns: [
            Column("SIDE") { $0.side }, Column("URL") { $0.url }, Column("READY") { String($0.ready) },
            Column("DETAIL") { $0.detail },
        ])
        if sides.contains(where: { !$0.ready }) { throw CommandFailure("the registry is not ready", status: .temporary) }
    }
}
