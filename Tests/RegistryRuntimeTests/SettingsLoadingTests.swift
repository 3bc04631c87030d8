import Foundation
import RegistryAuth
import RegistryDomain
import RegistryRuntime
import Testing

/// ``RegistrySettings/load(environment:)``: what each variable means, where
/// secrets may come from, and that a malformed value is an error, never a default.
@Suite struct SettingsLoadingTests {
    static let secret = String(repeating: "s", count: 32)

    @Test func onlyASecretGivesTheLocalStacksDefaults() async throws {
        let settings = try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_JWT_SECRET": Self.secret])
        #expect(settings.host == "127.0.0.1")
        #expect(settings.ingestPort == 8080)
        #expect(settings.topic == "image-registry.events")
        #expect(settings.waitTimeout == .seconds(5))
        guard case .sharedSecret(let secret) = settings.tokenKeys else { Issue.record("not a shared secret"); return }
        #expect(secret == Self.secret)
    }

    @Test func everyVariableIsReadByItsName() async throws {
        let settings = try await RegistrySettings.load(environment: [
            "IMAGE_REGISTRY_JWT_SECRET": Self.secret, "IMAGE_REGISTRY_HOST": "0.0.0.0",
            "IMAGE_REGISTRY_PROJECTOR_PORT": "9091", "IMAGE_REGISTRY_TOPIC_PARTITIONS": "3",
            "IMAGE_REGISTRY_WAIT_TIMEOUT_MS": "250", "IMAGE_REGISTRY_FILE_ROOTS": "/a:/b",
            "IMAGE_REGISTRY_MAX_UPLOAD_BYTES": "1024", "IMAGE_REGISTRY_KAFKA_DEBUG": "consumer",
            "IMAGE_REGISTRY_IMAGE_CHECK_TIMEOUT_SECONDS": "7", "IMAGE_REGISTRY_CONSUMER_GROUP": "g",
            "IMAGE_REGISTRY_INGEST_PORT": "",
        ])
        #expect(settings.host == "0.0.0.0")
        #expect(settings.ingestPort == 8080)
        #expect(settings.projectorPort == 9091)
        #expect(settings.topicPartitions == 3)
        #expect(settings.waitTimeout == .milliseconds(250))
        #expect(settings.extraFileRoots == ["/a", "/b"])
        #expect(settings.maximumUploadBytes == 1024)
        #expect(settings.kafkaDebug == "consumer")
        #expect(settings.imageCheckTimeout == .seconds(7))
        #expect(settings.consumerGroup == "g")
    }

    @Test(arguments: ["IMAGE_REGISTRY_INGEST_PORT", "IMAGE_REGISTRY_TOPIC_REPLICATION", "IMAGE_REGISTRY_READY_MAX_LAG"])
    func aMalformedNumberIsAnErrorNamingTheVariable(variable: String) async throws {
        for bad in ["eighty", "-1", "0", "99999999999999999999"] {
            let error = await #expect(throws: (any Error).self) {
                try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_JWT_SECRET": Self.secret, variable: bad])
            }
            #expect("\(error!)".contains(variable))
        }
    }

    @Test func webhookSettingsAreReadAndCheckedAndDenyByDefault() async throws {
        let defaults = try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_JWT_SECRET": Self.secret])
        #expect(defaults.outbound.addressRules.allowed.isEmpty)
        #expect(defaults.outbound.webhookSeal == nil)
        #expect(defaults.outbound.dispatchWebhooks)
        #expect(defaults.outbound.webhookRetryPeriod == .seconds(3600))
        let set = try await RegistrySettings.load(environment: [
            "IMAGE_REGISTRY_JWT_SECRET": Self.secret, "IMAGE_REGISTRY_IMPORT_ALLOW": "127.0.0.1/32,10.0.0.0/8",
            "IMAGE_REGISTRY_WEBHOOK_KEY": String(repeating: "k", count: 32), "IMAGE_REGISTRY_WEBHOOK_DISPATCH": "false",
            "IMAGE_REGISTRY_WEBHOOK_GROUP": "hooks", "IMAGE_REGISTRY_WEBHOOK_RETRY_SECONDS": "30",
            "IMAGE_REGISTRY_WEBHOOK_TIMEOUT_SECONDS": "2",
        ])
        #expect(set.outbound.addressRules.allowed.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8"])
        #expect(set.outbound.webhookSeal != nil)
        #expect(!set.outbound.dispatchWebhooks)
        #expect(set.outbound.webhookGroup == "hooks")
        #expect(set.outbound.webhookRetryPeriod == .seconds(30) && set.outbound.webhookAttemptTimeout == .seconds(2))
        for (variable, bad) in [
            ("IMAGE_REGISTRY_IMPORT_ALLOW", "127.0.0.1/40"), ("IMAGE_REGISTRY_IMPORT_ALLOW", "localhost"),
            ("IMAGE_REGISTRY_WEBHOOK_KEY", "short"), ("IMAGE_REGISTRY_WEBHOOK_DISPATCH", "maybe"),
            ("IMAGE_REGISTRY_WEBHOOK_RETRY_SECONDS", "-1"),
        ] {
            await #expect(throws: (any Error).self, "\(variable)=\(bad)") {
                try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_JWT_SECRET": Self.secret, variable: bad])
            }
        }
    }

    @Test func finiteRetentionIsRefusedUnlessExplicitlyAllowed() async throws {
        let base = ["IMAGE_REGISTRY_JWT_SECRET": Self.secret]
        #expect(try await RegistrySettings.load(environment: base).allowFiniteRetention == false)
        let allowed = base.merging(["IMAGE_REGISTRY_ALLOW_FINITE_RETENTION": "true"]) { $1 }
        #expect(try await RegistrySettings.load(environment: allowed).allowFiniteRetention == true)
        let garbled = base.merging(["IMAGE_REGISTRY_ALLOW_FINITE_RETENTION": "maybe"]) { $1 }
        let error = await #expect(throws: (any Error).self) { try await RegistrySettings.load(environment: garbled) }
        #expect("\(error!)".contains("IMAGE_REGISTRY_ALLOW_FINITE_RETENTION"))
    }

    @Test func personalRetentionIsAPolicyInJSONAndAMisspeltRuleIsRefused() async throws {
        func load(_ value: String) async throws -> RegistrySettings {
            try await RegistrySettings.load(environment: [
                "IMAGE_REGISTRY_JWT_SECRET": Self.secret, "IMAGE_REGISTRY_PERSONAL_RETENTION": value,
            ])
        }
        #expect(try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_JWT_SECRET": Self.secret])
            .personalRetention == nil)
        let policy = try await load(#"{"keep_newest": 3, "keep_resolved_days": 30}"#).personalRetention
        #expect(policy == RetentionPolicy(keepNewest: 3, keepResolvedDays: 30))
        #expect(try await load("{}").personalRetention == nil)
        for hostile in [#"{"keep_newst": 3}"#, #"{"keep_newest": 0}"#, #"{"keep_pinned_days": 99999}"#,
                        #"{"keep_newest": "3"}"#, "[3]", "keep_newest=3"] {
            let error = await #expect(throws: (any Error).self, "\(hostile)") { _ = try await load(hostile) }
            #expect("\(error.map { "\($0)" } ?? "")".contains("IMAGE_REGISTRY_PERSONAL_RETENTION"))
        }
    }

    @Test func tracingIsOnOnlyWithAnOTLPEndpointAndNotDisabled() async throws {
        let base = ["IMAGE_REGISTRY_JWT_SECRET": Self.secret]
        #expect(try await RegistrySettings.load(environment: base).tracing.endpoint == nil)
        let general = base.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]) { $1 }
        #expect(try await RegistrySettings.load(environment: general).tracing.endpoint?.host == "collector")
        let specific = general.merging(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://traces.example/v1/traces"]) { $1 }
        #expect(try await RegistrySettings.load(environment: specific).tracing.endpoint?.host == "traces.example")
        let disabled = general.merging(["OTEL_SDK_DISABLED": "true"]) { $1 }
        #expect(try await RegistrySettings.load(environment: disabled).tracing.endpoint == nil)
        for bad in ["collector:4318", "ftp://collector", "http://", "not a url"] {
            let error = await #expect(throws: (any Error).self) {
                try await RegistrySettings.load(environment: base.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": bad]) { $1 })
            }
            #expect("\(error!)".contains("OTEL_EXPORTER_OTLP_ENDPOINT"))
        }
    }

    @Test func aMissingOrShortSecretIsRefused() async throws {
        await #expect(throws: (any Error).self) { try await RegistrySettings.load(environment: [:]) }
        let short = await #expect(throws: (any Error).self) {
            try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_JWT_SECRET": "short"])
        }
        #expect("\(short!)".contains("at least 32"))
    }

    @Test func theSecretMayComeFromAFileOrTheSecretsDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("jwt-secret")
        try Data((Self.secret + "f\n").utf8).write(to: file)

        let fromFile = try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_JWT_SECRET_FILE": file.path])
        let fromDirectory = try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_SECRETS_DIR": directory.path])
        let environmentFirst = try await RegistrySettings.load(environment: [
            "IMAGE_REGISTRY_SECRETS_DIR": directory.path, "IMAGE_REGISTRY_JWT_SECRET": Self.secret,
        ])
        for (settings, expected) in [(fromFile, Self.secret + "f"), (fromDirectory, Self.secret + "f"),
                                     (environmentFirst, Self.secret)] {
            guard case .sharedSecret(let secret) = settings.tokenKeys else { Issue.record("not a shared secret"); continue }
            #expect(secret == expected)
        }
        let missing = await #expect(throws: (any Error).self) {
            try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_JWT_SECRET_FILE": "/nonexistent/secret"])
        }
        #expect("\(missing!)".contains("IMAGE_REGISTRY_JWT_SECRET_FILE"))
    }

    /// A Kubernetes Secret volume: every key a symbolic link into `..data`,
    /// itself a link to the folder of the current version's files.
    @Test func theSecretsDirectoryMayBeAKubernetesSecretVolume() async throws {
        let fileManager = FileManager.default
        let volume = fileManager.temporaryDirectory.appendingPathComponent("secret-volume-\(UUID())")
        let version = volume.appendingPathComponent("..2026_12_02_13_00_00.123456789")
        try fileManager.createDirectory(at: version, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: volume) }
        try Data((Self.secret + "k").utf8).write(to: version.appendingPathComponent("jwt-secret"))
        try Data("postgres://registry:pw@db:5432/registry".utf8).write(to: version.appendingPathComponent("database-url"))
        try fileManager.createSymbolicLink(atPath: volume.appendingPathComponent("..data").path,
                                           withDestinationPath: version.lastPathComponent)
        for key in ["jwt-secret", "database-url"] {
            try fileManager.createSymbolicLink(atPath: volume.appendingPathComponent(key).path,
                                               withDestinationPath: "..data/\(key)")
        }
        let settings = try await RegistrySettings.load(environment: ["IMAGE_REGISTRY_SECRETS_DIR": volume.path])
        guard case .sharedSecret(let secret) = settings.tokenKeys else { Issue.record("not a shared secret"); return }
        #expect(secret == Self.secret + "k")
        #expect(settings.databaseURL == "postgres://registry:pw@db:5432/registry")
    }
}
