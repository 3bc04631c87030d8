import RegistryAPI
import RegistryDomain
import RegistryHTTP

extension CreateWebhookRequest {
    /// The validated fields; 400 naming the broken rule.
    func validated() throws(APIError) -> (url: WebhookURL, secret: String?, topics: [WebhookTopic], active: Bool) {
        try RegistryHTTP.validated { () throws(NameError) in
            let url = try WebhookURL(url)
            if let secret {
                guard (1...WebhookSecretSeal.maximumSecretLength).contains(secret.utf8.count),
                    !secret.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
                else {
                    throw NameError(
                        field: "secret",
                        message: "must be 1 to \(WebhookSecretSeal.maximumSecretLength) bytes without control characters")
                }
            }
            var topics: [WebhookTopic] = []
            for name in events ?? WebhookTopic.allCases.map(\.rawValue) {
                guard let topic = WebhookTopic(rawValue: name), !topics.contains(topic) else {
                    throw NameError(
                        field: "events",
                        message: "must name images, namespaces or invites, each once (got \"\(name)\")")
                }
                topics.append(topic)
            }
            guard !topics.isEmpty else { throw NameError(field: "events", message: "must name one topic at least") }
            return (url, secret, topics.sorted(), active ?? true)
        }
    }
}
