import Foundation
import IngestService

import RegistryRuntime

// image-ingest: the registry's write side. Settings come from the environment
// (see RegistrySettings); SIGTERM stops it gracefully.
//
//   image-ingest                 validate commands and record their events
//   image-ingest gc              garbage-collect the blob store now: remove what no
//       [--dry-run]              live version, upload session or import needs, once
//       [--grace-seconds N]      older than the grace period (IMAGE_REGISTRY_GC_GRACE_SECONDS)
switch CommandLine.arguments.dropFirst().first {
case nil:
    await ServiceEntryPoint.run(label: "image-ingest", build: buildIngestApplication)
case "gc":
    await ServiceEntryPoint.runCommand(label: "image-ingest gc") { settings, logger in
        let command = try BlobCollectionCommand(arguments: Array(CommandLine.arguments.dropFirst(2)))
        for line in try await command.run(settings: settings, logger: logger) { print(line) }
    }
case let other?:
    FileHandle.standardError.write(Data("image-ingest: unknown command \(other); expected no command or gc\n".utf8))
    exit(64)
}
