import Crypto
import Foundation
import RegistryDomain

/// Small QCOW2 files made by `qemu-img create` (512-byte clusters), kept in
/// `Fixtures/`: `small` and `other` are version 3 images of 1 and 2 MiB;
/// `v2` is a version 2 image, which the registry refuses.
enum Fixture: String {
    case small, other, v2

    var bytes: [UInt8] {
        let url = Bundle.module.url(forResource: "Fixtures/\(rawValue)", withExtension: "qcow2")!
        return Array(try! Data(contentsOf: url))
    }

    var sha256: String {
        SHA256Digest(SHA256.hash(data: bytes)).hex
    }
}
