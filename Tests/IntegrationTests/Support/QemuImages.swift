import Foundation
import Testing

/// Real QCOW2 files made with Debian's qemu-utils, which `scripts/test` installs.
enum QemuImages {
    static func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("registry-images-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs a command and returns its standard output; fails the test on a non-zero exit.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(arguments.joined(separator: " ")) failed")
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs a command without holding a concurrency-pool thread while it
    /// runs, and returns its standard output.
    static func output(of arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume() }
        }
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// `qemu-img create`, then `written` bytes of a pattern written into the disk.
    static func make(_ name: String, in directory: URL, options: String = "compat=1.1", size: String = "64M",
                     written: String? = "1M", pattern: UInt8 = 0x5A) throws -> URL {
        let file = directory.appendingPathComponent(name)
        try run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", options, file.path, size])
        if let written {
            try run(["qemu-io", "-f", "qcow2", "-c", "write -P \(pattern) 0 \(written)", file.path])
        }
        return file
    }

    static func sha256sum(_ file: URL) throws -> String {
        String(try run(["sha256sum", file.path]).prefix(64))
    }
}
