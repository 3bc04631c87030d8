import ProjectorService
import RegistryHTTP

// image-projector: the registry's read side. Settings come from the
// environment (see RegistrySettings); SIGTERM stops it gracefully.
await ServiceEntryPoint.run(label: "image-projector", build: buildProjectorApplication)
