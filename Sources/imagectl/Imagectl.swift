import ArgumentParser

/// `imagectl`: the command-line client of the image registry.
@main
struct Imagectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imagectl",
        abstract: "Command-line client of the Djinn CI image registry.",
        subcommands: [
            UploadCommand.self, PullCommand.self, ImportCommand.self, ImagesCommand.self, NamespacesCommand.self, NamespaceCommand.self,
            InviteCommand.self, WebhookCommand.self, ResolveCommand.self, AuditCommand.self, TokenCommand.self,
            SeedCommand.self,
        ])
}
