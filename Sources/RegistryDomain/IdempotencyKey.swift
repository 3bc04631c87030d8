import Foundation

/// A client's `Idempotency-Key` for one command. The ids of the command's
/// event (and of the image it creates) derive from the caller and the key,
/// so a retry that reaches any replica records nothing new.
public struct IdempotencyKey: Sendable, Equatable {
    public static let maximumLength = 255

    public let caller: Username
    public let key: String

    public init(caller: Username, key: String) throws(NameError) {
        guard !key.isEmpty, key.utf8.count <= Self.maximumLength,
            key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F })
        else {
            throw NameError(
                field: "Idempotency-Key", message: "must be 1 to \(Self.maximumLength) printable ASCII characters")
        }
        self.caller = caller
        self.key = key
    }

    private init(caller: Username, validatedKey: String) {
        self.caller = caller
        self.key = validatedKey
    }

    /// The key of the item at `index` of a batch command sent with this key.
    /// No key a client can send equals it (keys are printable ASCII).
    public func item(_ index: Int) -> IdempotencyKey {
        IdempotencyKey(caller: caller, validatedKey: "\(key)\u{0}item\u{0}\(index)")
    }

    /// The id of the command's event.
    public var eventID: UUID { EventID.derived(from: "event\u{0}\(caller.value)\u{0}\(key)") }

    /// The id of the image the command creates, if it creates one.
    public var imageID: UUID { EventID.derived(from: "image\u{0}\(caller.value)\u{0}\(key)") }
}
