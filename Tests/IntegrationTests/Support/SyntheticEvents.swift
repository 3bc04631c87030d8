import Foundation
import RegistryDomain

/// Event streams written straight to the topic, as many ingest replicas would.
enum SyntheticEvents {
    /// Eight owners' `ci` namespaces, then images spread over them (five names
    /// each, so names get several versions).
    static func stream(count: Int, ownerPrefix: String = "crash") -> [EventEnvelope] {
        let owners = (0..<8).map { try! Username("\(ownerPrefix)\($0)") }
        return (0..<count).map { index in
            let owner = owners[index % owners.count]
            if index < owners.count {
                return EventEnvelope(source: "test", actor: owner, subject: owner.value, event: .namespaceCreated(
                    NamespaceCreated(owner: owner, path: try! NamespacePath("ci"), visibility: .internal)))
            }
            return EventEnvelope(source: "test", actor: owner, subject: owner.value, event: .imageCreated(ImageCreated(
                imageID: EventID.make(), source: .custom, owner: owner, namespace: try! NamespacePath("ci"),
                name: "image\(index % 5)", driver: .qemu,
                location: try! ImageLocation("file:///var/lib/djinn/images/\(index).qcow2"),
                sha256: try! SHA256Digest(hex: String(format: "%064x", index)), size: Int64(index + 1))))
        }
    }
}
