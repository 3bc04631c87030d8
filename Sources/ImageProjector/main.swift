import Foundation
import ProjectorService

import RegistryRuntime

// image-projector: the registry's read side. Settings come from the
// environment (see RegistrySettings); SIGTERM stops it gracefully.
//
//   image-projector           serve queries and fold the event topic
//   image-projector rebuild   rebuild the read model beside the live one, then switch
switch CommandLine.arguments.dropFirst().first {
case nil:
    await ServiceEntryPoint.run(label: "image-projector", build: buildProjectorApplication)
case "rebuild":
    await ServiceEntryPoint.runCommand(label: "image-projector rebuild") { settings, logger in
        let report = try await ReadModelRebuild(settings: settings, logger: logger).run()
        print(report)
    }
case let other?:
    FileHandle.standardError.write(Data("image-projector: unknown command \(other); expected no command or rebuild\n".utf8))
    exit(64)
}
