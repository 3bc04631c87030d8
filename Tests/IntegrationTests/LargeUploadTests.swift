import Foundation
import Testing

/// A 512 MiB upload through a real `image-ingest` process, streamed by curl,
/// while the process's resident memory is sampled.
@Suite("Large upload memory")
struct LargeUploadTests {
    static func residentBytes(of pid: Int32) -> Int64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int64(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }

    @Test("uploading 512 MiB grows the ingest's resident memory by less than 100 MiB")
    func memoryStaysFlat() async throws {
        let binaries = try TestEnvironment.required("REGISTRY_TEST_BIN_DIR")
        let images = try QemuImages.directory()
        let file = try QemuImages.make("large.qcow2", in: images, size: "1G", written: "512M")
        let expected = try QemuImages.sha256sum(file)
        let settings = try TestEnvironment.settings(
            databaseURL: try await TestEnvironment.freshDatabase(), topic: try await TestEnvironment.freshTopic())
        let port = Int.random(in: 30_000..<40_000)
        let blobs = images.appendingPathComponent("blobs").path

        let ingest = Process()
        ingest.executableURL = URL(fileURLWithPath: binaries).appendingPathComponent("image-ingest")
        ingest.environment = ProcessInfo.processInfo.environment.merging([
            "IMAGE_REGISTRY_JWT_SECRET": TestEnvironment.jwtSecret,
            "IMAGE_REGISTRY_INGEST_PORT": String(port),
            "IMAGE_REGISTRY_DATABASE_URL": settings.databaseURL,
            "IMAGE_REGISTRY_KAFKA_BROKERS": settings.kafkaBrokers,
            "IMAGE_REGISTRY_TOPIC": settings.topic,
            "IMAGE_REGISTRY_MIGRATIONS_DIR": settings.migrationsDirectory.path,
            "IMAGE_REGISTRY_BLOB_DIR": blobs,
            "LOG_LEVEL": "warning",
        ]) { _, new in new }
        try ingest.run()
        defer {
            ingest.terminate()
            ingest.waitUntilExit()
            try? FileManager.default.removeItem(at: images)
        }
        try await TestEnvironment.eventually(timeout: .seconds(60), "image-ingest is ready on port \(port)") {
            try await QemuImages.output(of: ["curl", "-sf", "http://127.0.0.1:\(port)/readyz"]).contains("ready")
        }
        let baseline = try #require(Self.residentBytes(of: ingest.processIdentifier))
        let token = try await TestEnvironment.token("alice", [.imageWrite])

        let pid = ingest.processIdentifier
        let monitor = Task { () -> Int64 in
            var peak = baseline
            while !Task.isCancelled {
                if let now = Self.residentBytes(of: pid) { peak = max(peak, now) }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return peak
        }
        let answer = try await QemuImages.output(of: [
            "curl", "-sS", "-X", "POST", "-T", file.path, "-H", "Authorization: Bearer \(token)",
            "-H", "Content-Type: application/x-qemu-disk", "http://127.0.0.1:\(port)/v1/images?name=large",
        ])
        monitor.cancel()
        let peak = await monitor.value
        #expect(answer.contains("image-created"), "\(answer.prefix(300))")
        let stored = URL(fileURLWithPath: blobs).appendingPathComponent("sha256/\(expected.prefix(2))/\(expected)")
        #expect(FileManager.default.fileExists(atPath: stored.path), "stored under the SHA-256 sha256sum computes")
        let growth = peak - baseline
        print("large upload: baseline \(baseline >> 20) MiB, peak \(peak >> 20) MiB, growth \(growth >> 20) MiB")
        #expect(growth < 100 << 20, "resident memory grew by \(growth >> 20) MiB")
    }
}
