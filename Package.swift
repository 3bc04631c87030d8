// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "image-registry",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "image-ingest", targets: ["ImageIngest"]),
        .executable(name: "image-projector", targets: ["ImageProjector"]),
        .executable(name: "imagectl", targets: ["imagectl"]),
        .executable(name: "registry-events", targets: ["RegistryEvents"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.0.0"),
        // OTLP over HTTP only: the gRPC exporter would add grpc-swift to every build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryDomain",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // O_DIRECT and sync_file_range, which Swift's Glibc module does not declare.
        .target(name: "CBlobFile"),
        .target(
            name: "BlobStore",
            dependencies: [
                "RegistryDomain", "CBlobFile",
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReadModel",
            dependencies: [
                "RegistryDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The API's Codable request and resource types, shared by the
        // services, the tests and imagectl.
        .target(
            name: "RegistryAPI",
            dependencies: ["RegistryDomain"],
            swiftSettings: swiftSettings
        ),
        // Bearer tokens: scopes, claims, verifying and minting. No HTTP
        // server, database or broker, so imagectl can use it.
        .target(
            name: "RegistryAuth",
            dependencies: [
                "RegistryDomain",
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        // What a replica needs to start: its settings (swift-configuration,
        // secrets from files), preparing the schema and topic, backoff,
        // running until SIGTERM.
        .target(
            name: "RegistryRuntime",
            dependencies: [
                "RegistryAuth", "ReadModel", "Kafka",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryHTTP",
            dependencies: [
                "RegistryDomain", "RegistryAPI", "RegistryAuth", "ReadModel",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // Consumes the event topic with a store of its own per partition, in
        // log order, resuming at stored positions: the projection, the
        // webhook dispatcher and the import worker.
        .target(
            name: "EventConsumer",
            dependencies: [
                "RegistryDomain", "RegistryHTTP", "RegistryRuntime", "ReadModel", "Kafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IngestService",
            dependencies: [
                "RegistryDomain", "RegistryAPI", "RegistryAuth", "RegistryHTTP", "RegistryRuntime", "ReadModel", "Kafka", "BlobStore",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        // The web dashboard: server-rendered pages that call the registry's
        // own API with the viewer's token (reads from the projector, writes
        // to ingest), so they show exactly what the API lets the viewer see.
        .target(
            name: "Dashboard",
            dependencies: [
                "RegistryDomain", "RegistryAPI", "RegistryAuth", "RegistryHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/templates"), .copy("Resources/static")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ProjectorService",
            dependencies: [
                "RegistryDomain", "RegistryAPI", "RegistryAuth", "RegistryHTTP", "RegistryRuntime", "ReadModel", "Kafka",
                "EventConsumer", "Dashboard",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        // In-memory fakes of the read model and the event log, for tests of
        // routes without PostgreSQL or a broker.
        .target(
            name: "RegistryTesting",
            dependencies: [
                "RegistryDomain", "RegistryAPI", "ReadModel", "ProjectorService", "EventConsumer", "Kafka",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ImageIngest",
            dependencies: ["IngestService", "RegistryRuntime"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ImageProjector",
            dependencies: ["ProjectorService", "RegistryRuntime"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "imagectl",
            dependencies: [
                "RegistryDomain", "RegistryAPI", "RegistryAuth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Writes synthetic events with the services' own codec (benchmarks).
        .executableTarget(
            name: "RegistryEvents",
            dependencies: [
                "RegistryDomain", "Kafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fuzz targets over untrusted input. scripts/fuzz builds them with
        // libFuzzer (-sanitize=fuzzer -DFUZZING, in .build-fuzz); a plain
        // build makes them tools that replay the input files they are given.
        .target(
            name: "FuzzDriver",
            path: "Fuzz/FuzzDriver",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzQCOW2",
            dependencies: ["FuzzDriver", "RegistryDomain"],
            path: "Fuzz/FuzzQCOW2",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzCloudEvents",
            dependencies: ["FuzzDriver", "RegistryDomain"],
            path: "Fuzz/FuzzCloudEvents",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryDomainTests",
            dependencies: ["RegistryDomain", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReadModelTests",
            dependencies: ["ReadModel", "RegistryDomain"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryHTTPTests",
            dependencies: [
                "RegistryHTTP", "RegistryAuth", "RegistryDomain",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ContractTests",
            dependencies: [
                "IngestService", "ProjectorService", "EventConsumer", "ReadModel", "RegistryAuth", "RegistryAPI", "RegistryHTTP", "RegistryRuntime", "Kafka", "BlobStore",
                "RegistryDomain", "RegistryTesting",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Both services on in-memory fakes, with no database, broker or
        // server: every route's statuses, bodies, access and idempotency on
        // the router, and the projection's run loop on an in-memory log.
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "IngestService", "ProjectorService", "EventConsumer", "RegistryTesting", "ReadModel", "RegistryAuth", "RegistryAPI", "RegistryHTTP", "RegistryRuntime",
                "RegistryDomain", "BlobStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryRuntimeTests",
            dependencies: [
                "RegistryRuntime", "RegistryAuth", "Kafka",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DashboardTests",
            dependencies: [
                "Dashboard", "RegistryAPI", "RegistryDomain",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "IngestService", "ProjectorService", "EventConsumer", "ReadModel", "Kafka", "RegistryDomain", "RegistryAuth", "RegistryAPI", "RegistryHTTP", "RegistryRuntime",
                "RegistryTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
