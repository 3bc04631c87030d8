/// What a webhook is told about, as Djinn CI's `X-Djinn-CI-Event` header
/// names it: `images` (created, deleted), `namespaces` (created, updated,
/// deleted) and `invites` (sent, accepted, rejected).
public enum WebhookTopic: String, Codable, Sendable, CaseIterable, Comparable {
    case images, namespaces, invites

    public static func < (left: WebhookTopic, right: WebhookTopic) -> Bool {
        left.rawValue < right.rawValue
    }
}
