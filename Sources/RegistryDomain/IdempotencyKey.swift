import Crypto
import Foundation

/// A client's `Idempotency-Key` for one command, scoped as clients expect
/// (the IETF `Idempotency-Key` draft, Stripe): to the caller, the method and
/// the route. The ids of the command's event (and of the image it creates)
/// derive from the caller, the scope and the key, so a retry that reaches
/// any replica records nothing new, and the same key sent to another route
/// is another command.
public struct IdempotencyKey: Sendable, Equatable, Hashable {
    public static let maximumLength = 255

    public let caller: Username
    /// The method and route template, such as `POST /v1/images`.
    public let scope: String
    public let key: String

    public init(caller: Username, scope: String, key: String) throws(NameError) {
        guard !key.isEmpty, key.utf8.count <= Self.maximumLength,
            key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F })
        else {
            throw NameError(
                field: "Idempotency-Key", message: "must be 1 to \(Self.maximumLength) printable ASCII characters")
        }
        self.caller = caller
        self.scope = scope
        self.key = key
    }

    private init(caller: Username, scope: String, validatedKey: String) {
        self.caller = caller
        self.scope = scope
        self.key = validatedKey
    }

    /// The key of the item at `index` of a batch command sent with this key.
    /// No key a client can send equals it (keys are printable ASCII).
    public func item(_ index: Int) -> IdempotencyKey {
        IdempotencyKey(caller: caller, scope: scope, validatedKey: "\(key)\u{0}item\u{0}\(index)")
    }

    /// The id of the command's event.
    public var eventID: UUID { id(of: "event") }

    /// The id of the image the command creates, if it creates one.
    public var imageID: UUID { id(of: "image") }

    /// The id of the `kind` of thing the command creates (`invite`, say),
    /// the same for every retry.
    public func id(of kind: String) -> UUID {
        EventID.derived(from: "\(kind)\u{0}\(caller.value)\u{0}\(scope)\u{0}\(key)")
    }
}

/// What makes two requests the same request: a SHA-256 over the method, the
/// path and the command's parameters and body, each length-prefixed so that
/// no two different requests give the same input. A retry with the same key
/// must send the same request; another request with that key is refused.
public struct RequestFingerprint: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let hex: String

    /// - Parameters:
    ///   - parts: the method, the path, then the parameters that make the
    ///     command (for an upload the body's digest, for JSON the body's bytes).
    public init(_ parts: [[UInt8]]) {
        var hasher = SHA256()
        for part in parts {
            withUnsafeBytes(of: UInt64(part.count).bigEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: part)
        }
        hex = Hex.encode(hasher.finalize())
    }

    public init(hex: String) {
        self.hex = hex
    }

    public var description: String { hex }
}
