import ArgumentParser
import Foundation

/// `imagectl`: the command-line client of the image registry.
@main
struct Imagectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imagectl",
        abstract: "Command-line client of the Djinn CI image registry.",
        discussion: """
            Exit statuses: 0 done; 1 usage (a flag, an argument, or a request the registry found \
            malformed); 2 not found; 3 refused (token, permission, conflict, too large); 4 an invalid \
            image; 75 a temporary failure (the registry unreachable or unavailable): try again.
            """,
        version: "0.7.0",
        subcommands: [
            UploadCommand.self, PullCommand.self, ImportCommand.self, ImportsCommand.self, ImagesCommand.self, ImageCommand.self,
            NamespacesCommand.self, NamespaceCommand.self, CollaboratorCommand.self, InviteCommand.self,
            WebhookCommand.self, RetentionCommand.self, QuotaCommand.self, ResolveCommand.self, AuditCommand.self, DeadLettersCommand.self, HealthCommand.self,
            SeedCommand.self, LoginCommand.self, LogoutCommand.self, ContextCommand.self, DevCommand.self,
        ])

    /// Runs the command line, ending with the documented exit status.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            fail(failure.description, status: failure.status)
        } catch let failure as ConnectionFailure {
            fail("\(failure.description) (try again shortly)", status: .temporary)
        } catch {
            // ArgumentParser's own: help and version end well, the rest are usage errors.
            if exitCode(for: error) == .success { exit(withError: error) }
            fail(fullMessage(for: error), status: .usage)
        }
    }

    private static func fail(_ message: String, status: ExitStatus) -> Never {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        Foundation.exit(status.rawValue)
    }
}
