import BlobStore
import RegistryDomain
import RegistryRuntime

/// A download that retrying will not mend: the import fails with `code`
/// and `message` (``ImageImportFailed``).
struct ImportFailure: Error, CustomStringConvertible {
    let code: ImportFailureCode
    let message: String

    var description: String { "\(code.rawValue): \(message)" }

    /// The permanent failure `error` stands for, or `nil` for one worth
    /// retrying (the network, the server's own trouble, a stall).
    static func permanent(_ error: any Error) -> ImportFailure? {
        switch error {
        case let failure as ImportFailure:
            failure
        case UploadRejection.tooLarge(let limit):
            ImportFailure(code: .tooLarge, message: "an image may be at most \(limit) bytes")
        case UploadRejection.invalidImage(let problem):
            ImportFailure(code: .invalidImage, message: problem.message)
        case let mismatch as DigestMismatch:
            ImportFailure(code: .digestMismatch, message: mismatch.description)
        case let refusal as OutboundRefusal:
            ImportFailure(code: .forbiddenAddress, message: refusal.description)
        default:
            nil
        }
    }
}
