import Crypto
import Foundation

/// Seals webhook secrets for the event log and opens them for delivery,
/// with AES-256-GCM under a key the operator gives both services
/// (`IMAGE_REGISTRY_WEBHOOK_KEY`). A sealed secret is the base64 text of
/// nonce, ciphertext and tag; it tells nothing about the secret but its
/// length, and opens only with the same key.
public struct WebhookSecretSeal: Sendable {
    /// The longest secret accepted, in bytes.
    public static let maximumSecretLength = 256

    private let key: SymmetricKey

    /// A seal whose key derives from `keyText` (at least 32 characters),
    /// through HKDF-SHA256, so any long random text will do.
    public init(keyText: String) throws(NameError) {
        guard keyText.utf8.count >= 32 else {
            throw NameError(field: "IMAGE_REGISTRY_WEBHOOK_KEY", message: "must be at least 32 characters")
        }
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(keyText.utf8)),
            info: Array("image-registry webhook secrets v1".utf8), outputByteCount: 32)
    }

    /// `secret` sealed: different text every time, for the same secret.
    public func seal(_ secret: String) -> String {
        // Sealing with a valid key and a fresh nonce cannot fail.
        let box = try? AES.GCM.seal(Array(secret.utf8), using: key)
        return box?.combined.map { $0.base64EncodedString() } ?? ""
    }

    /// The secret `sealed` holds; `nil` when it was sealed with another key
    /// or altered.
    public func open(_ sealed: String) -> String? {
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key)
        else { return nil }
        return String(bytes: plain, encoding: .utf8)
    }
}
