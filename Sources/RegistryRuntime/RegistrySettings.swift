import Foundation
import Kafka
import ReadModel
import RegistryAuth
import RegistryDomain

/// The settings both services read (``load(environment:)``): from the
/// environment, and from files for secrets. Every variable is optional; the
/// defaults suit the local stack.
///
/// | variable | default |
/// |---|---|
/// | `IMAGE_REGISTRY_HOST` | `127.0.0.1` |
/// | `IMAGE_REGISTRY_INGEST_PORT` | `8080` |
/// | `IMAGE_REGISTRY_PROJECTOR_PORT` | `8081` |
/// | `IMAGE_REGISTRY_DATABASE_URL` | `postgres://registry@127.0.0.1:5432/registry` |
/// | `IMAGE_REGISTRY_KAFKA_BROKERS` | `127.0.0.1:9092` |
/// | `IMAGE_REGISTRY_TOPIC` | `image-registry.events` |
/// | `IMAGE_REGISTRY_TOPIC_PARTITIONS` | `12` |
/// | `IMAGE_REGISTRY_TOPIC_REPLICATION` | `1` |
/// | `IMAGE_REGISTRY_CONSUMER_GROUP` | `image-projector` |
/// | `IMAGE_REGISTRY_JWT_SECRET` | none: this or the public key is required |
/// | `IMAGE_REGISTRY_JWT_SECRET_FILE` | none: a file holding the secret, instead of the variable |
/// | `IMAGE_REGISTRY_SECRETS_DIR` | none: a directory of one file per setting, named like `jwt-secret` (Kubernetes and Docker secret mounts) |
/// | `IMAGE_REGISTRY_JWT_PUBLIC_KEY_FILE` | none: PEM, Ed25519 or RSA; replaces the secret |
/// | `IMAGE_REGISTRY_WAIT_TIMEOUT_MS` | `5000` |
/// | `IMAGE_REGISTRY_MIGRATIONS_DIR` | `migrations` |
/// | `IMAGE_REGISTRY_BLOB_DIR` | `var/blobs` |
/// | `IMAGE_REGISTRY_BASE_IMAGES_DIR` | none |
/// | `IMAGE_REGISTRY_FILE_ROOTS` | `/var/lib/djinn/images` (colon-separated) |
/// | `IMAGE_REGISTRY_MAX_UPLOAD_BYTES` | 20 GiB |
/// | `IMAGE_REGISTRY_MAX_VIRTUAL_SIZE` | 2 TiB |
/// | `IMAGE_REGISTRY_KAFKA_DEBUG` | none: librdkafka `debug` contexts, such as `consumer,fetch` |
/// | `IMAGE_REGISTRY_READY_MAX_LAG` | `1000` records a projector may be behind and still be ready |
/// | `IMAGE_REGISTRY_QEMU_IMG` | `qemu-img`: QEMU's image tool, which checks every upload whole |
/// | `IMAGE_REGISTRY_IMAGE_CHECK_TIMEOUT_SECONDS` | `120`: longest `qemu-img` run per upload |
///
/// Webhooks and outbound requests: ``OutboundSettings``.
public struct RegistrySettings: Sendable {
    public var host: String
    public var ingestPort: Int
    public var projectorPort: Int
    public var databaseURL: String
    public var kafkaBrokers: String
    /// librdkafka debug contexts to log (`debug` property), if any.
    public var kafkaDebug: String?
    public var topic: String
    public var topicPartitions: Int32
    public var topicReplication: Int32
    /// Whether a replica may serve although the event topic deletes old
    /// records (``EventLogRetention``); off: it stays not ready, saying why.
    public var allowFiniteRetention: Bool
    /// Where traces are exported, from OpenTelemetry's own variables.
    public var tracing: TracingSettings
    /// The registry's own requests: webhook deliveries (``OutboundSettings``).
    public var outbound: OutboundSettings
    public var consumerGroup: String
    /// How bearer tokens are checked.
    public var tokenKeys: TokenKeys
    /// The issuer and audience tokens must name, when set.
    public var tokenRequirements: TokenRequirements
    public var waitTimeout: Duration
    public var migrationsDirectory: URL
    /// Where uploads are stored (content-addressed).
    public var blobDirectory: String
    /// Where the base images' files are.
    public var baseImagesDirectory: String?
    /// Further directories `file://` locations may point into.
    public var extraFileRoots: [String]
    public var maximumUploadBytes: Int64
    public var maximumVirtualSize: UInt64
    /// How many records a projector's partitions may be behind what it has
    /// received before `/readyz` says it is not ready.
    public var readyMaximumLag: Int64
    /// QEMU's image tool (a path, or a name looked up in `PATH`).
    public var qemuImg: String
    /// The longest one `qemu-img` run may take on an upload.
    public var imageCheckTimeout: Duration
    /// How long a resumable upload session is kept without a chunk.
    public var uploadSessionLifetime: Duration
    /// Garbage collection of the blob store.
    public var blobCollection = BlobCollectionSettings()
    /// How long after a build resolved a version deleting it needs `?force=true`.
    public var recentBuildWindow: Duration = .seconds(24 * 3600)
    /// The retention policy of every user's personal images
    /// (`IMAGE_REGISTRY_PERSONAL_RETENTION`, JSON like a namespace's
    /// `retention`); `nil`: personal images are kept.
    public var personalRetention: RetentionPolicy?
    /// The web dashboard the projector serves under `/ui`.
    public var dashboard = DashboardSettings()

    /// The client settings for the broker, shared by producers, consumers and topic creation.
    public var kafka: KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: kafkaBrokers, debugContexts: kafkaDebug)
    }

    /// Every directory a `file://` location may point into.
    public var fileRoots: FileRoots {
        FileRoots([blobDirectory] + (baseImagesDirectory.map { [$0] } ?? []) + extraFileRoots)
    }

    public init(
        host: String = "127.0.0.1", ingestPort: Int = 8080, projectorPort: Int = 8081,
        databaseURL: String = "postgres://registry@127.0.0.1:5432/registry", kafkaBrokers: String = "127.0.0.1:9092",
        topic: String = "image-registry.events", topicPartitions: Int32 = 12, topicReplication: Int32 = 1,
        consumerGroup: String = "image-projector", tokenKeys: TokenKeys, waitTimeout: Duration = .seconds(5),
        migrationsDirectory: URL = URL(fileURLWithPath: "migrations"), blobDirectory: String = "var/blobs",
        baseImagesDirectory: String? = nil, extraFileRoots: [String] = ["/var/lib/djinn/images"],
        maximumUploadBytes: Int64 = 20 << 30, maximumVirtualSize: UInt64 = 2 << 40, readyMaximumLag: Int64 = 1000,
        qemuImg: String = "qemu-img", imageCheckTimeout: Duration = .seconds(120)
    ) {
        self.host = host
        self.ingestPort = ingestPort
        self.projectorPort = projectorPort
        self.databaseURL = databaseURL
        self.kafkaBrokers = kafkaBrokers
        self.topic = topic
        self.topicPartitions = topicPartitions
        self.topicReplication = topicReplication
        self.consumerGroup = consumerGroup
        self.tokenKeys = tokenKeys
        self.waitTimeout = waitTimeout
        self.migrationsDirectory = migrationsDirectory
        self.blobDirectory = URL(fileURLWithPath: blobDirectory).standardizedFileURL.path
        self.baseImagesDirectory = baseImagesDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        self.extraFileRoots = extraFileRoots
        self.maximumUploadBytes = maximumUploadBytes
        self.maximumVirtualSize = maximumVirtualSize
        self.readyMaximumLag = readyMaximumLag
        self.qemuImg = qemuImg
        self.imageCheckTimeout = imageCheckTimeout
        self.uploadSessionLifetime = .seconds(24 * 3600)
        self.kafkaDebug = nil
        self.allowFiniteRetention = false
        self.tracing = TracingSettings()
        self.outbound = OutboundSettings()
        self.tokenRequirements = TokenRequirements()
    }

    /// How the event topic is created.
    public var eventTopic: KafkaTopicConfiguration {
        KafkaTopicConfiguration(partitions: topicPartitions, replicationFactor: topicReplication)
    }
}

/// When garbage collection of the blob store runs, and what it spares.
public struct BlobCollectionSettings: Sendable, Equatable {
    /// How often one ingest replica collects (`nil`: only by command).
    public var interval: Duration?
    /// How old an unneeded file must be before it goes: longer than an
    /// upload's event may take to be projected, outages of the projector
    /// included.
    public var grace: Duration

    public init(interval: Duration? = .seconds(6 * 3600), grace: Duration = .seconds(24 * 3600)) {
        self.interval = interval
        self.grace = grace
    }
}

/// The web dashboard's settings (`IMAGE_REGISTRY_DASHBOARD_*`).
public struct DashboardSettings: Sendable, Equatable {
    /// Whether the projector serves the dashboard (`IMAGE_REGISTRY_DASHBOARD`, on).
    public var enabled = true
    /// Where the dashboard's forms write (`IMAGE_REGISTRY_DASHBOARD_INGEST_URL`);
    /// `nil`: the ingest service on this machine's ingest port.
    public var ingestURL: String?
    /// The local stack's development sign-in, which mints a token for any
    /// username (`IMAGE_REGISTRY_DASHBOARD_DEV_SIGNIN`, off; needs a shared secret).
    public var devSignIn = false
    /// Marks the session cookie `Secure` (`IMAGE_REGISTRY_DASHBOARD_SECURE_COOKIES`,
    /// off): turn it on wherever the dashboard is reached over HTTPS.
    public var secureCookies = false

    public init() {}
}
