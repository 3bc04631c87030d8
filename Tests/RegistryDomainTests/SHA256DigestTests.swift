import Crypto
import RegistryDomain
import Testing

@Suite("SHA-256 digests")
struct SHA256DigestTests {
    @Test("a hasher's digest is written as the 64 lowercase hex digits sha256sum prints")
    func fromHasher() throws {
        // sha256sum of the three bytes "abc" (FIPS 180-2's first example).
        let digest = SHA256Digest(SHA256.hash(data: Array("abc".utf8)))
        #expect(digest.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try SHA256Digest(hex: digest.hex) == digest)
    }
}
