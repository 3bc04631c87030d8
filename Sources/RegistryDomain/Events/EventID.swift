import Crypto
import Foundation

/// Makes event and image identifiers.
public enum EventID {
    /// A UUIDv7: 48 bits of Unix milliseconds, then random bits, so ids sort
    /// by creation time and never collide across replicas.
    public static func make(at date: Date = Date()) -> UUID {
        var random = SystemRandomNumberGenerator()
        return make(milliseconds: UInt64(max(0, date.timeIntervalSince1970 * 1000)), using: &random)
    }

    /// A UUIDv8 derived from `name` (the first 122 bits of its SHA-256): the
    /// same name always gives the same id, so a retried command with the same
    /// idempotency key becomes the same event on any replica.
    public static func derived(from name: String) -> UUID {
        var bytes = Array(SHA256.hash(data: Data(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return uuid(bytes)
    }

    private static func uuid(_ bytes: [UInt8]) -> UUID {
        UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    }

    /// A UUIDv7 built from a given time and random source, for tests.
    public static func make(milliseconds: UInt64, using random: inout some RandomNumberGenerator) -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index)))
        }
        for index in 6..<16 {
            bytes[index] = UInt8.random(in: 0...255, using: &random)
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return uuid(bytes)
    }
}
