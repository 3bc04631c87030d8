import FuzzDriver
import RegistryDomain

/// The fuzz target over the QCOW2 validator.
///
/// An input is an 8-byte big-endian file size followed by the first bytes of
/// the file, which is what the upload path hands the validator. The target
/// does what the upload path does: check the header, then, if it passed,
/// check that its tables fit in a file of that size. A rejection is a normal
/// answer; only a crash or trap is a finding. (Should the header check come
/// to take the file size as well, pass it `fileSize` here.)
@main
enum FuzzQCOW2 {
    static func main() throws {
        try FuzzDriver.main { data, count in
            let input = Array(UnsafeBufferPointer(start: data, count: count))
            let fileSize = input.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let prefix = Array(input.dropFirst(8))
            let validator = QCOW2Validator()
            do {
                let header = try validator.validateHeader(prefix)
                try validator.validateLength(header, fileSize: fileSize)
            } catch {
                // Refusing the file is the validator's job, not a finding.
            }
            return 0
        }
    }
}
