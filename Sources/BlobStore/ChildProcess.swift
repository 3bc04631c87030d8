import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a command to completion off the Swift concurrency pool: the process
/// is spawned, its output read and its exit awaited on a dedicated thread,
/// and it is killed when it outlives its time limit.
///
/// It spawns with `posix_spawn` and reaps its own child with `waitpid` on
/// that child's pid, rather than through Foundation's `Process`, whose
/// process-wide child monitoring other parts of a host process share.
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
        var output: [Int32] = [0, 0]
        var errors: [Int32] = [0, 0]
        guard pipe(&output) == 0 else { throw POSIXError(.EMFILE) }
        guard pipe(&errors) == 0 else {
            close(output[0]); close(output[1])
            throw POSIXError(.EMFILE)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        for descriptor in output + errors { posix_spawn_file_actions_addclose(&actions, descriptor) }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
        close(output[1])
        close(errors[1])
        guard spawned == 0 else {
            close(output[0]); close(errors[0])
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT)
        }
        let (standardOutput, standardError, timedOut) = readUntilClosed(
            output[0], errors[0], deadline: Date().addingTimeInterval(timeLimit.timeInterval), pid: pid)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = status & 0x7F == 0
        return Outcome(
            exitStatus: exited && !timedOut ? (status >> 8) & 0xFF : nil,
            standardOutput: standardOutput, standardError: standardError, timedOut: timedOut)
    }

    /// Reads both pipes until the child closes them, keeping at most
    /// ``outputLimit`` bytes of each; kills the child at `deadline`.
    private func readUntilClosed(_ out: Int32, _ err: Int32, deadline: Date, pid: pid_t)
        -> (Data, Data, Bool)
    {
        var kept = [out: Data(), err: Data()]
        var open: Set<Int32> = [out, err]
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while !open.isEmpty {
            var descriptors = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let remaining = Int32(max(0, min(deadline.timeIntervalSinceNow * 1000, 1000)))
            let ready = poll(&descriptors, nfds_t(descriptors.count), remaining)
            if ready == 0, deadline.timeIntervalSinceNow <= 0, !timedOut {
                timedOut = true
                kill(pid, SIGKILL)
            }
            guard ready > 0 else { continue }
            for descriptor in descriptors where descriptor.revents != 0 {
                let count = read(descriptor.fd, &buffer, buffer.count)
                if count > 0 {
                    let room = Self.outputLimit - kept[descriptor.fd, default: Data()].count
                    if room > 0 { kept[descriptor.fd, default: Data()].append(contentsOf: buffer[0..<min(count, room)]) }
                } else if count == 0 || errno != EINTR {
                    close(descriptor.fd)
                    open.remove(descriptor.fd)
                }
            }
        }
        return (kept[out] ?? Data(), kept[err] ?? Data(), timedOut)
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
