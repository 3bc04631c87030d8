import Foundation
import IngestService

import RegistryRuntime

// image-ingest: the registry's write side. Settings come from the environment
// (see RegistrySettings); SIGTERM stops it gracefully.
//
//   image-ingest                 validate commands and record their events
//   image-ingest orphans         list stored blobs no image names (older than 24 h)
//       [--remove] [--older-than-hours N]
switch CommandLine.arguments.dropFirst().first {
case nil:
    await ServiceEntryPoint.run(label: "image-ingest", build: buildIngestApplication)
case "orphans":
    await ServiceEntryPoint.runCommand(label: "image-ingest orphans") { settings, logger in
        let command = try OrphanBlobsCommand(arguments: Array(CommandLine.arguments.dropFirst(2)))
        for line in try await command.run(settings: settings, logger: logger) { print(line) }
    }
case let other?:
    FileHandle.standardError.write(Data("image-ingest: unknown command \(other); expected no command or orphans\n".utf8))
    exit(64)
}
