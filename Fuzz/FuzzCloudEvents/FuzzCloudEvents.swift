import Foundation
import FuzzDriver
import RegistryDomain

/// The fuzz target over the CloudEvents decoder (``FuzzRecord`` says how the
/// bytes make a Kafka record).
///
/// Any record must either decode or be refused as poison; a record that
/// decodes must also survive encoding and decoding again unchanged, because
/// every reader of the log must take the same fact from it.
///
/// `FuzzCloudEvents --write-seeds DIR` (plain build) writes the seed corpus.
@main
enum FuzzCloudEvents {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "--write-seeds", let folder = arguments.dropFirst().first {
            for (name, record) in try SeedEvents.records() {
                let path = URL(fileURLWithPath: folder).appendingPathComponent(name)
                try Data(FuzzRecord.bytes(of: record)).write(to: path)
            }
            return
        }
        try FuzzDriver.main { data, count in
            let record = FuzzRecord.record(from: Array(UnsafeBufferPointer(start: data, count: count)))
            guard let envelope = try? CloudEventsCodec.decode(record) else { return 0 }
            let again = try? CloudEventsCodec.decode(CloudEventsCodec.encode(envelope))
            precondition(again == envelope, "a decoded event does not survive encoding and decoding again")
            return 0
        }
    }
}
