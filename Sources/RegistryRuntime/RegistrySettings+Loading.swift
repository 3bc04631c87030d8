import Configuration
import Foundation
import ReadModel
import RegistryAuth
import RegistryDomain
import SystemPackage

extension RegistrySettings {
    /// Reads the settings through swift-configuration: `IMAGE_REGISTRY_*`
    /// environment variables first, then the files of
    /// `IMAGE_REGISTRY_SECRETS_DIR`, if set (one file per setting, named
    /// like `jwt-secret` for `IMAGE_REGISTRY_JWT_SECRET`). Secrets are
    /// marked as such, so access reports never show them. Tracing reads
    /// OpenTelemetry's standard `OTEL_*` variables (``TracingSettings``).
    ///
    /// A value that is set but malformed is an error naming the variable,
    /// never a silent fallback to the default.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) async throws
        -> RegistrySettings
    {
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(
                environmentVariables: environment.filter { !$0.value.isEmpty },
                secretsSpecifier: .specific(
                    ["IMAGE_REGISTRY_JWT_SECRET", "IMAGE_REGISTRY_DATABASE_URL", "IMAGE_REGISTRY_WEBHOOK_KEY"])
            ).prefixKeys(with: "image.registry")
        ]
        if let directory = environment["IMAGE_REGISTRY_SECRETS_DIR"], !directory.isEmpty {
            providers.append(try await DirectoryFilesProvider(directoryPath: FilePath(secretsFolder(in: directory))))
        }
        var settings = try SettingsReader(ConfigReader(providers: providers)).settings()
        settings.tracing = try TracingSettings(environment: environment)
        return settings
    }
}

/// The folder whose regular files are the secrets of `directory`. A
/// Kubernetes Secret volume holds only symbolic links (`jwt-secret ->
/// ..data/jwt-secret`, `..data -> ..2026_12_02_…`), which the directory
/// provider skips; the files themselves are in the folder `..data` points
/// to, so that folder is read instead. Any other directory is read as it is.
func secretsFolder(in directory: String) -> String {
    let data = URL(fileURLWithPath: directory).appendingPathComponent("..data")
    guard (try? FileManager.default.destinationOfSymbolicLink(atPath: data.path)) != nil else { return directory }
    return data.resolvingSymlinksInPath().path
}

/// Reads each setting by its key (`jwt.secret` is `IMAGE_REGISTRY_JWT_SECRET`)
/// and checks it.
private struct SettingsReader {
    let config: ConfigReader

    init(_ config: ConfigReader) {
        self.config = config
    }

    func settings() throws -> RegistrySettings {
        let tokenKeys = try self.tokenKeys()
        let defaults = RegistrySettings(tokenKeys: tokenKeys)
        var settings = RegistrySettings(
            host: text("host") ?? defaults.host,
            ingestPort: try number("ingest.port", defaults.ingestPort),
            projectorPort: try number("projector.port", defaults.projectorPort),
            databaseURL: text("database.url", isSecret: true) ?? defaults.databaseURL,
            kafkaBrokers: text("kafka.brokers") ?? defaults.kafkaBrokers,
            topic: text("topic") ?? defaults.topic,
            topicPartitions: try number("topic.partitions", defaults.topicPartitions),
            topicReplication: try number("topic.replication", defaults.topicReplication),
            consumerGroup: text("consumer.group") ?? defaults.consumerGroup,
            tokenKeys: tokenKeys,
            waitTimeout: .milliseconds(try number("wait.timeout.ms", 5000)),
            migrationsDirectory: text("migrations.dir").map { URL(fileURLWithPath: $0) } ?? defaults.migrationsDirectory,
            blobDirectory: text("blob.dir") ?? defaults.blobDirectory,
            baseImagesDirectory: text("base.images.dir"),
            extraFileRoots: text("file.roots").map { $0.split(separator: ":").map(String.init) }
                ?? defaults.extraFileRoots,
            maximumUploadBytes: try number("max.upload.bytes", defaults.maximumUploadBytes),
            maximumVirtualSize: try number("max.virtual.size", defaults.maximumVirtualSize),
            readyMaximumLag: try number("ready.max.lag", defaults.readyMaximumLag),
            qemuImg: text("qemu.img") ?? defaults.qemuImg,
            imageCheckTimeout: .seconds(try number("image.check.timeout.seconds", 120)))
        settings.uploadSessionLifetime = .seconds(3600 * (try number("upload.session.hours", 24)))
        settings.recentBuildWindow = .seconds(3600 * (try number("recent.build.hours", 24, allowingZero: true)))
        let collectionInterval = try number("gc.interval.seconds", 6 * 3600, allowingZero: true)
        settings.blobCollection = BlobCollectionSettings(
            interval: collectionInterval == 0 ? nil : .seconds(collectionInterval),
            grace: .seconds(try number("gc.grace.seconds", 24 * 3600, allowingZero: true)))
        settings.personalRetention = try retentionPolicy("personal.retention")
        settings.dashboard.enabled = try boolean("dashboard", true)
        settings.dashboard.ingestURL = try text("dashboard.ingest.url").map { try Self.serviceURL($0, key: "dashboard.ingest.url") }
        settings.dashboard.devSignIn = try boolean("dashboard.dev.signin", false)
        settings.dashboard.secureCookies = try boolean("dashboard.secure.cookies", false)
        if settings.dashboard.devSignIn, case .sharedSecret = tokenKeys {} else if settings.dashboard.devSignIn {
            throw ConfigurationError("IMAGE_REGISTRY_DASHBOARD_DEV_SIGNIN needs IMAGE_REGISTRY_JWT_SECRET: only a shared secret can mint tokens")
        }
        settings.kafkaDebug = text("kafka.debug")
        settings.allowFiniteRetention = try boolean("allow.finite.retention", false)
        settings.tokenRequirements = TokenRequirements(issuer: text("jwt.issuer"), audience: text("jwt.audience"))
        settings.outbound = try outbound()
        return settings
    }

    private func outbound() throws -> OutboundSettings {
        let defaults = OutboundSettings()
        do {
            return OutboundSettings(
                addressRules: try text("import.allow").map(OutboundAddressRules.init(parsing:)) ?? defaults.addressRules,
                webhookSeal: try text("webhook.key", isSecret: true).map(WebhookSecretSeal.init(keyText:)),
                dispatchWebhooks: try boolean("webhook.dispatch", defaults.dispatchWebhooks),
                webhookGroup: text("webhook.group") ?? defaults.webhookGroup,
                webhookRetryPeriod: .seconds(try number("webhook.retry.seconds", 3600)),
                webhookAttemptTimeout: .seconds(try number("webhook.timeout.seconds", 10)),
                importWorkers: try number("import.workers", defaults.importWorkers, allowingZero: true),
                importStallTimeout: .seconds(try number("import.stall.seconds", 60)),
                importRetryPeriod: .seconds(try number("import.retry.seconds", 3600)))
        } catch let error as NameError {
            throw ConfigurationError("\(error.field): \(error.message)")
        }
    }

    /// A public key file, or a shared secret of at least 32 bytes (HS256
    /// needs a 256-bit key) from the environment, a file it names, or the
    /// secrets directory.
    private func tokenKeys() throws -> TokenKeys {
        if let address = text("jwt.jwks.url") {
            return .jwks(try Self.keySetURL(address))
        }
        if let keyFile = text("jwt.public.key.file") {
            return .publicKey(pem: try contents(of: keyFile, setting: "jwt.public.key.file"))
        }
        let secret = try text("jwt.secret", isSecret: true)
            ?? text("jwt.secret.file").map { try contents(of: $0, setting: "jwt.secret.file") }
        guard let secret else {
            throw ConfigurationError(
                "set IMAGE_REGISTRY_JWT_SECRET (or IMAGE_REGISTRY_JWT_SECRET_FILE, or jwt-secret in IMAGE_REGISTRY_SECRETS_DIR) or IMAGE_REGISTRY_JWT_PUBLIC_KEY_FILE to check bearer tokens")
        }
        guard secret.utf8.count >= 32 else {
            throw ConfigurationError("IMAGE_REGISTRY_JWT_SECRET must be at least 32 characters (HS256 needs a 256-bit key)")
        }
        return .sharedSecret(secret)
    }

    /// The base URL of one of the registry's own services (`http://host:port`,
    /// no path, query or trailing slash).
    static func serviceURL(_ address: String, key: String) throws -> String {
        guard let url = URL(string: address), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil, url.query == nil, url.path.isEmpty || url.path == "/"
        else {
            throw ConfigurationError("\(variable(key)) must be a base URL like http://image-ingest:8080 (got \"\(address)\")")
        }
        return address.hasSuffix("/") ? String(address.dropLast()) : address
    }

    /// A key set's URL: HTTPS, or HTTP to this machine only, since keys
    /// fetched over plain HTTP could be replaced on the way.
    static func keySetURL(_ address: String) throws -> URL {
        let variable = variable("jwt.jwks.url")
        guard let url = URL(string: address), let scheme = url.scheme?.lowercased(), let host = url.host else {
            throw ConfigurationError("\(variable) must be an https:// URL (got \"\(address)\")")
        }
        let loopback = ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host.lowercased())
        guard scheme == "https" || (scheme == "http" && loopback) else {
            throw ConfigurationError("\(variable) must be an https:// URL; http:// is allowed only to 127.0.0.1 (got \"\(address)\")")
        }
        return url
    }

    private func text(_ key: String, isSecret: Bool = false) -> String? {
        config.string(forKey: ConfigKey(key), isSecret: isSecret).flatMap { $0.isEmpty ? nil : $0 }
    }

    private func number<N: FixedWidthInteger>(_ key: String, _ fallback: N, allowingZero: Bool = false) throws -> N {
        guard let text = text(key) else { return fallback }
        guard let parsed = N(text), parsed > 0 || (allowingZero && parsed == 0) else {
            let kind = allowingZero ? "whole number, 0 or more" : "positive whole number"
            throw ConfigurationError("\(Self.variable(key)) must be a \(kind) (got \"\(text)\")")
        }
        return parsed
    }

    /// A retention policy written as JSON (`{"keep_newest": 3}`), checked
    /// as a namespace's is; a misspelt rule is an error, not a policy that
    /// keeps everything; an empty policy is none.
    private func retentionPolicy(_ key: String) throws -> RetentionPolicy? {
        guard let text = text(key) else { return nil }
        let rules = ["keep_newest", "keep_resolved_days", "keep_pinned_days"]
        let policy: RetentionPolicy
        do {
            let fields = try JSONDecoder().decode([String: Int].self, from: Data(text.utf8))
            guard fields.keys.allSatisfy(rules.contains) else { throw ConfigurationError("unknown rule") }
            policy = RetentionPolicy(
                keepNewest: fields["keep_newest"], keepResolvedDays: fields["keep_resolved_days"],
                keepPinnedDays: fields["keep_pinned_days"])
            try policy.validate()
        } catch let error as NameError {
            throw ConfigurationError("\(Self.variable(key)): \(error.field) \(error.message)")
        } catch {
            throw ConfigurationError(
                "\(Self.variable(key)) must be a JSON object of whole numbers with keys among \(rules.joined(separator: ", ")) (got \"\(text)\")")
        }
        return policy.isEmpty ? nil : policy
    }

    private func boolean(_ key: String, _ fallback: Bool) throws -> Bool {
        guard let text = text(key) else { return fallback }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError("\(Self.variable(key)) must be true or false (got \"\(text)\")")
        }
    }

    /// A file's text without its final newline (as secret files are often written).
    private func contents(of path: String, setting key: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError("\(Self.variable(key)): cannot read \(path)")
        }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// The environment variable of `key`: `jwt.secret` is `IMAGE_REGISTRY_JWT_SECRET`.
    static func variable(_ key: String) -> String {
        "IMAGE_REGISTRY_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}
