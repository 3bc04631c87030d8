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
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        hex = String(decoding: text, as: UTF8.self)
    }

    public var description: String { "sha256:\(hex)" }

    public init(validating text: String) throws(NameError) {
        try self.init(hex: text)
    }

    public var text: String { hex }
}
