import RegistryDomain
import RegistryRuntime

/// What commands that make the registry send requests of its own check
/// beyond access: which addresses a webhook may deliver to and an import
/// may download from, and how their secrets are sealed for the log.
struct OutboundRules: Sendable {
    let addresses: OutboundAddressGuard
    /// `nil`: no `IMAGE_REGISTRY_WEBHOOK_KEY`, so no webhook may have a
    /// secret and no import URL credentials.
    let seal: WebhookSecretSeal?

    init(_ settings: OutboundSettings = OutboundSettings()) {
        addresses = OutboundAddressGuard(rules: settings.addressRules)
        seal = settings.webhookSeal
    }
}
