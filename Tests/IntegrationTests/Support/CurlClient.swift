import Foundation
import HTTPTypes
import RegistryTesting
import Testing

/// HTTP to a service process on loopback, sent with curl, answering like
/// the in-process test clients.
struct CurlClient: Sendable {
    let port: Int

    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
        uploading file: URL? = nil, headers extra: HTTPFields = [:]
    ) async throws -> JSONAnswer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let headerFile = directory.appendingPathComponent("headers").path
        let bodyFile = directory.appendingPathComponent("body").path
        var arguments = ["curl", "-s", "-X", method.rawValue, "-D", headerFile, "-o", bodyFile, "-w", "%{http_code}"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let json { arguments += ["-H", "Content-Type: application/json", "--data-binary", json] }
        if let file { arguments += ["-H", "Content-Type: application/x-qemu-disk", "--data-binary", "@\(file.path)"] }
        for field in extra { arguments += ["-H", "\(field.name): \(field.value)"] }
        arguments.append("http://127.0.0.1:\(port)\(uri)")

        let code = try await QemuImages.output(of: arguments)
        // Not `#require`: callers poll services that are still starting.
        guard let number = Int(code), number >= 100 else {
            throw POSIXError(.ECONNREFUSED, "curl could not reach 127.0.0.1:\(port)")
        }
        let status = HTTPResponse.Status(code: number)
        var headers = HTTPFields()
        for line in try String(contentsOfFile: headerFile, encoding: .utf8).split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let name = HTTPField.Name(String(parts[0])) {
                headers[name] = parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        let data = FileManager.default.contents(atPath: bodyFile) ?? Data()
        let object = data.isEmpty ? [:] : (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return JSONAnswer(status: status, headers: headers, body: object)
    }

    /// Waits until the process says it is ready.
    func waitUntilReady(_ process: ServiceProcess, timeout: Duration = .seconds(120)) async throws {
        try await TestEnvironment.eventually(timeout: timeout, "the process on port \(port) is ready") {
            try #require(process.isRunning, "the process exited with \(process.process.terminationStatus)")
            return try await call(.get, "/readyz").status == .ok
        }
    }
}
