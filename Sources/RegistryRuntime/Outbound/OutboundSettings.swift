import RegistryDomain

/// How the registry makes requests of its own: webhook deliveries (and
/// imports by download), which addresses they may reach, and how webhook
/// secrets are sealed.
///
/// | variable | default |
/// |---|---|
/// | `IMAGE_REGISTRY_IMPORT_ALLOW` | none: address ranges outbound requests may reach although they are loopback, private, link-local… (`127.0.0.1/32,10.0.0.0/8`) |
/// | `IMAGE_REGISTRY_WEBHOOK_KEY` | none: the key (≥ 32 characters) that seals webhook secrets; without it, webhooks with a secret are refused |
/// | `IMAGE_REGISTRY_WEBHOOK_DISPATCH` | `true`: whether a projector replica also delivers webhooks |
/// | `IMAGE_REGISTRY_WEBHOOK_GROUP` | `image-registry-webhooks`: the dispatchers' consumer group |
/// | `IMAGE_REGISTRY_WEBHOOK_RETRY_SECONDS` | `3600`: how long a delivery is retried before it is marked failed |
/// | `IMAGE_REGISTRY_WEBHOOK_TIMEOUT_SECONDS` | `10`: the longest one delivery attempt may take |
/// | `IMAGE_REGISTRY_IMPORT_WORKERS` | `2`: downloads one ingest replica runs at once (`0`: it runs none) |
/// | `IMAGE_REGISTRY_IMPORT_STALL_SECONDS` | `60`: how long a download may go without a byte before it is retried |
/// | `IMAGE_REGISTRY_IMPORT_RETRY_SECONDS` | `3600`: how long a download that keeps failing is retried before the import fails |
public struct OutboundSettings: Sendable {
    public var addressRules: OutboundAddressRules
    /// `nil` when `IMAGE_REGISTRY_WEBHOOK_KEY` is not set.
    public var webhookSeal: WebhookSecretSeal?
    public var dispatchWebhooks: Bool
    public var webhookGroup: String
    public var webhookRetryPeriod: Duration
    public var webhookAttemptTimeout: Duration
    public var importWorkers: Int
    public var importStallTimeout: Duration
    public var importRetryPeriod: Duration

    public init(
        addressRules: OutboundAddressRules = OutboundAddressRules(), webhookSeal: WebhookSecretSeal? = nil,
        dispatchWebhooks: Bool = true, webhookGroup: String = "image-registry-webhooks",
        webhookRetryPeriod: Duration = .seconds(3600), webhookAttemptTimeout: Duration = .seconds(10),
        importWorkers: Int = 2, importStallTimeout: Duration = .seconds(60), importRetryPeriod: Duration = .seconds(3600)
    ) {
        self.addressRules = addressRules
        self.webhookSeal = webhookSeal
        self.dispatchWebhooks = dispatchWebhooks
        self.webhookGroup = webhookGroup
        self.webhookRetryPeriod = webhookRetryPeriod
        self.webhookAttemptTimeout = webhookAttemptTimeout
        self.importWorkers = importWorkers
        self.importStallTimeout = importStallTimeout
        self.importRetryPeriod = importRetryPeriod
    }
}
