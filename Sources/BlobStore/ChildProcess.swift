import Foundation

/// Runs a command to completion off the Swift concurrency pool: the process
/// is started, its output read and its exit awaited on a dedicated thread,
/// and it is killed when it outlives its time limit.
struct ChildProcess: Sendable {
    /// What a finished command left behind.
    struct Outcome: Sendable {
        /// The exit status, or `nil` when a signal ended the process.
        var exitStatus: Int32?
        var standardOutput: Data
        var standardError: Data
        var timedOut: Bool
    }

    /// Output kept per stream; the rest is read and dropped, so a chatty
    /// command can neither block on a full pipe nor fill memory.
    static let outputLimit = 1 << 20

    let executable: URL
    let arguments: [String]
    let timeLimit: Duration

    func run() async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try runBlocking() }) }
            thread.name = "child-process"
            thread.start()
        }
    }

    /// Runs on the dedicated thread.
    private func runBlocking() throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        let outputReader = PipeReader(output.fileHandleForReading)
        let errorReader = PipeReader(errors.fileHandleForReading)
        let timedOut = finished.wait(timeout: .now() + timeLimit.timeInterval) == .timedOut
        if timedOut {
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        let exitStatus = process.terminationReason == .exit ? process.terminationStatus : nil
        return Outcome(
            exitStatus: timedOut ? nil : exitStatus, standardOutput: outputReader.finish(),
            standardError: errorReader.finish(), timedOut: timedOut)
    }

    /// Reads a stream to its end, keeping at most ``outputLimit`` bytes.
    static func readLimited(_ handle: FileHandle) -> Data {
        var kept = Data()
        while let chunk = try? handle.read(upToCount: 64 << 10), !chunk.isEmpty {
            if kept.count < outputLimit { kept.append(chunk.prefix(outputLimit - kept.count)) }
        }
        return kept
    }
}

/// Reads one pipe to its end on a thread of its own.
private final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            data = ChildProcess.readLimited(handle)
            done.signal()
        }
        thread.name = "child-process-output"
        thread.start()
    }

    /// The stream's bytes, once it has ended.
    func finish() -> Data {
        done.wait()
        return data
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
