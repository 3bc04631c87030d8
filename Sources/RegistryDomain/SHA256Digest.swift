import Foundation
import Crypto

/// A SHA-256 digest written as 64 lowercase hexadecimal characters.
public struct SHA256Digest: ValidatedString {
    public let hex: String

    public init(hex: String, field: String = "sha256") throws(NameError) {
        let lowered = hex.lowercased()
        guard lowered.utf8.count == 64,
            lowered.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) })
        else {
            throw NameError(field: field, message: "must be 64 hexadecimal characters")
        }
        self.hex = lowered
    }

    /// The digest a hasher computed.
    public init(_ digest: SHA256.Digest) {
        hex = Hex.encode(digest)
    }

    public var description: String { "sha256:\(hex)" }

    /// The digest's 32 bytes.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(32)
        var index = hex.utf8.startIndex
        while index != hex.utf8.endIndex {
            let next = hex.utf8.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return result
    }

    /// The digest as RFC 9530's `Repr-Digest` and `Content-Digest` name it:
    /// `sha-256=:<base64>:`.
    public var structuredField: String { "sha-256=:\(Data(bytes).base64EncodedString()):" }

    public init(validating text: String) throws(NameError) {
        try self.init(hex: text)
    }

    public var text: String { hex }
}
