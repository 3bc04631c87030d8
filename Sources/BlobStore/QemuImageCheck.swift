import Foundation
import RegistryDomain

/// Checks a whole image file once all its bytes are in, before the registry
/// accepts it. Throws ``UploadRejection/invalidImage(_:)`` for a file that
/// must not be accepted and ``ImageCheckUnavailable`` when the check itself
/// could not run.
public protocol WholeImageCheck: Sendable {
    func check(path: String, header: QCOW2Header, fileSize: UInt64) async throws
}

/// The check could not run (the checker is missing or failed on its own);
/// the upload is refused as "try again later", not as a bad image.
public struct ImageCheckUnavailable: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// ``WholeImageCheck`` by QEMU's own tools: `qemu-img info` must see a
/// self-contained QCOW2 v3 image of the header's virtual size, and
/// `qemu-img check` must find no corruption (leaked clusters are harmless)
/// and no cluster past the end of the file. The format is always given
/// (`-f qcow2`), never probed. Each run is bounded in time, and, through
/// `prlimit` where it is installed, in memory and CPU.
public struct QemuImageCheck: WholeImageCheck {
    public let qemuImg: String
    public let timeLimit: Duration
    static let memoryLimitBytes = 2 << 30
    static let cpuLimitSeconds = 120

    /// - Parameter qemuImg: the `qemu-img` executable, a path or a name looked up in `PATH`.
    public init(qemuImg: String = "qemu-img", timeLimit: Duration = .seconds(120)) {
        self.qemuImg = qemuImg
        self.timeLimit = timeLimit
    }

    public func check(path: String, header: QCOW2Header, fileSize: UInt64) async throws {
        let info = try await run(["info", "--output=json", "-f", "qcow2", path], step: "info")
        guard info.exitStatus == 0, let facts = try? JSONDecoder().decode(QemuImageInfo.self, from: info.standardOutput)
        else {
            throw Self.refusal("QEMU cannot open the image", info)
        }
        try Self.checkInfo(facts, header: header)
        let check = try await run(["check", "--output=json", "-f", "qcow2", path], step: "check")
        let report = try? JSONDecoder().decode(QemuCheckReport.self, from: check.standardOutput)
        try Self.checkReport(report, exitStatus: check.exitStatus, header: header, fileSize: fileSize, stderr: check)
    }

    static func checkInfo(_ facts: QemuImageInfo, header: QCOW2Header) throws {
        guard facts.format == "qcow2", facts.formatSpecific?.data?.compat == "1.1" else {
            throw invalid("QEMU reads the file as \(facts.format) \(facts.formatSpecific?.data?.compat ?? ""), not QCOW2 v3")
        }
        guard facts.virtualSize == header.virtualSize else {
            throw invalid("QEMU reads a virtual size of \(facts.virtualSize) bytes, the header says \(header.virtualSize)")
        }
        guard facts.backingFilename == nil, facts.formatSpecific?.data?.dataFile == nil else {
            throw invalid("QEMU sees a backing or data file; images must be self-contained")
        }
        guard facts.encrypted != true else {
            throw invalid("encrypted images cannot boot unattended; upload an unencrypted image")
        }
    }

    /// `qemu-img check` exits 0 when clean, 3 when only clusters leaked.
    static func checkReport(
        _ report: QemuCheckReport?, exitStatus: Int32?, header: QCOW2Header, fileSize: UInt64,
        stderr: ChildProcess.Outcome
    ) throws {
        guard let report, exitStatus == 0 || exitStatus == 3 else {
            throw refusal("QEMU's check found the image corrupt", stderr, report: report)
        }
        guard (report.corruptions ?? 0) == 0, (report.checkErrors ?? 0) == 0 else {
            throw refusal("QEMU's check found the image corrupt", stderr, report: report)
        }
        let cluster = header.clusterSize
        let roundedSize = fileSize > UInt64.max - cluster ? UInt64.max : (fileSize + cluster - 1) / cluster * cluster
        if let end = report.imageEndOffset, end > roundedSize {
            throw invalid(
                "the image is truncated: its clusters reach to byte \(end), but the file has \(fileSize) bytes")
        }
    }

    private func run(_ arguments: [String], step: String) async throws -> ChildProcess.Outcome {
        let command = Self.limited([qemuImg] + arguments)
        let outcome: ChildProcess.Outcome
        do {
            outcome = try await ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: command, timeLimit: timeLimit
            ).run()
        } catch {
            throw ImageCheckUnavailable(description: "qemu-img \(step) could not start: \(error)")
        }
        if outcome.timedOut {
            throw Self.invalid("QEMU's \(step) of the image did not finish within \(timeLimit)")
        }
        if outcome.exitStatus == 127 {
            throw ImageCheckUnavailable(description: "qemu-img is not installed (\(qemuImg))")
        }
        return outcome
    }

    /// The command under `prlimit`, when it is installed, so a hostile
    /// file cannot make QEMU take all memory or CPU.
    static func limited(_ command: [String]) -> [String] {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") else { return command }
        return ["/usr/bin/prlimit", "--as=\(memoryLimitBytes)", "--cpu=\(cpuLimitSeconds)", "--"] + command
    }

    private static func invalid(_ message: String) -> UploadRejection {
        .invalidImage(QCOW2ValidationError(message))
    }

    /// A refusal carrying QEMU's first line of explanation.
    private static func refusal(_ summary: String, _ outcome: ChildProcess.Outcome, report: QemuCheckReport? = nil)
        -> UploadRejection
    {
        var details: [String] = []
        if let corruptions = report?.corruptions, corruptions > 0 { details.append("\(corruptions) corruptions") }
        if outcome.exitStatus == nil { details.append("qemu-img was killed by a signal") }
        let firstLine = String(decoding: outcome.standardError, as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map { String($0.prefix(300)) }
        if let firstLine { details.append(firstLine) }
        return invalid(details.isEmpty ? summary : "\(summary): \(details.joined(separator: "; "))")
    }
}

/// The fields of `qemu-img info --output=json` the check reads.
struct QemuImageInfo: Decodable {
    var format: String
    var virtualSize: UInt64
    var backingFilename: String?
    var encrypted: Bool?
    var formatSpecific: FormatSpecific?

    struct FormatSpecific: Decodable {
        var data: Fields?

        struct Fields: Decodable {
            var compat: String?
            var dataFile: String?

            enum CodingKeys: String, CodingKey {
                case compat
                case dataFile = "data-file"
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case format, encrypted
        case virtualSize = "virtual-size"
        case backingFilename = "backing-filename"
        case formatSpecific = "format-specific"
    }
}

/// The fields of `qemu-img check --output=json` the check reads.
struct QemuCheckReport: Decodable {
    var corruptions: Int?
    var checkErrors: Int?
    var imageEndOffset: UInt64?

    enum CodingKeys: String, CodingKey {
        case corruptions
        case checkErrors = "check-errors"
        case imageEndOffset = "image-end-offset"
    }
}
