import IngestService
import RegistryHTTP

// image-ingest: the registry's write side. Settings come from the environment
// (see RegistrySettings); SIGTERM stops it gracefully.
await ServiceEntryPoint.run(label: "image-ingest", build: buildIngestApplication)
