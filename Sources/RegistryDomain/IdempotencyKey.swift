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

    /// The id of the command's event.
    public var eventID: UUID { EventID.derived(from: "event\u{0}\(caller.value)\u{0}\(key)") }

    /// The id of the image the command creates, if it creates one.
    public var imageID: UUID { EventID.derived(from: "image\u{0}\(caller.value)\u{0}\(key)") }
}
