import Testing

@testable import Dashboard

/// ``MultipartFormReader``: a browser's form as it streams, in chunks of
/// every size, and forms an attacker writes.
@Suite struct MultipartFormReaderTests {
    static let contentType = "multipart/form-data; boundary=----WebKitFormBoundaryX3"

    static func body(file: [UInt8], filename: String = "disk.qcow2") -> [UInt8] {
        var text = ""
        text += "------WebKitFormBoundaryX3\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n"
        text += "------WebKitFormBoundaryX3\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nmy image\r\n"
        text += "------WebKitFormBoundaryX3\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n"
        text += "Content-Type: application/octet-stream\r\n\r\n"
        var bytes = Array(text.utf8) + file
        bytes += Array("\r\n------WebKitFormBoundaryX3\r\nContent-Disposition: form-data; name=\"download_url\"\r\n\r\n\r\n".utf8)
        bytes += Array("------WebKitFormBoundaryX3--\r\n".utf8)
        return bytes
    }

    /// Feeds `body` in chunks of `size`; answers the fields, the file's bytes and whether it ended.
    static func read(_ body: [UInt8], chunk size: Int) throws -> (fields: [String: String], file: [UInt8], ended: Bool) {
        var reader = try MultipartFormReader(contentType: contentType)
        var fields: [String: String] = [:]
        var file: [UInt8] = []
        var ended = false
        var start = 0
        while start < body.count {
            for event in try reader.feed(body[start..<min(start + size, body.count)]) {
                switch event {
                case .field(let name, let value): fields[name] = value
                case .fileStart(let name, let filename): fields[name] = "file:" + filename
                case .fileBytes(let bytes): file += bytes
                case .fileEnd: fields["file-ended"] = "yes"
                case .end: ended = true
                }
            }
            start += size
        }
        try reader.finish()
        return (fields, file, ended)
    }

    @Test(arguments: [1, 2, 3, 7, 39, 40, 41, 64, 4096, 1 << 20])
    func aFormReadsTheSameInChunksOfAnySize(chunk: Int) throws {
        // Bytes that look like the start of a boundary, inside the file.
        let file = Array("QFI\u{fb}\r\n--\r\n------WebKitFormBoundaryX\r\n------WebKitFormBoundaryX4".utf8)
            + (0..<3000).map { UInt8($0 % 251) }
        let (fields, read, ended) = try Self.read(Self.body(file: file), chunk: chunk)
        #expect(fields["csrf"] == "abc")
        #expect(fields["name"] == "my image")
        #expect(fields["file"] == "file:disk.qcow2")
        #expect(fields["file-ended"] == "yes")
        #expect(fields["download_url"] == "")
        #expect(read == file)
        #expect(ended)
    }

    @Test func noChosenFileIsAnEmptyFilename() throws {
        let (fields, file, _) = try Self.read(Self.body(file: [], filename: ""), chunk: 5)
        #expect(fields["file"] == "file:")
        #expect(file.isEmpty)
    }

    @Test func hostileFormsAreRefused() throws {
        #expect(throws: MultipartFormReader.Malformed.self) { try MultipartFormReader(contentType: "text/plain") }
        #expect(throws: MultipartFormReader.Malformed.self) {
            try MultipartFormReader(contentType: "multipart/form-data")
        }
        #expect(throws: MultipartFormReader.Malformed.self) {
            try MultipartFormReader(contentType: "multipart/form-data; boundary=" + String(repeating: "b", count: 71))
        }
        // Cut off before the closing boundary.
        let whole = Self.body(file: Array(repeating: 7, count: 100))
        #expect(throws: MultipartFormReader.Malformed.self) {
            _ = try Self.read(Array(whole.prefix(whole.count - 40)), chunk: 16)
        }
        // A field without end, past the field limit.
        var endless = Array("------WebKitFormBoundaryX3\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n".utf8)
        endless += Array(repeating: UInt8(ascii: "a"), count: MultipartFormReader.maximumFieldBytes + 100)
        #expect(throws: MultipartFormReader.Malformed.self) { _ = try Self.read(endless, chunk: 4096) }
        // Many fields, each small, together past the limit; and too many parts.
        var many: [UInt8] = []
        for index in 0..<20 {
            many += Array("------WebKitFormBoundaryX3\r\nContent-Disposition: form-data; name=\"f\(index)\"\r\n\r\n".utf8)
            many += Array(repeating: UInt8(ascii: "v"), count: 4 << 10) + Array("\r\n".utf8)
        }
        #expect(throws: MultipartFormReader.Malformed.self) { _ = try Self.read(many + Array("------WebKitFormBoundaryX3--".utf8), chunk: 1000) }
        var parts: [UInt8] = []
        for index in 0...MultipartFormReader.maximumParts {
            parts += Array("------WebKitFormBoundaryX3\r\nContent-Disposition: form-data; name=\"p\(index)\"\r\n\r\nx\r\n".utf8)
        }
        #expect(throws: MultipartFormReader.Malformed.self) { _ = try Self.read(parts + Array("------WebKitFormBoundaryX3--".utf8), chunk: 64) }
        // Headers without end.
        var headers = Array("------WebKitFormBoundaryX3\r\nX: ".utf8)
        headers += Array(repeating: UInt8(ascii: "h"), count: MultipartFormReader.maximumHeaderBytes + 10)
        #expect(throws: MultipartFormReader.Malformed.self) { _ = try Self.read(headers, chunk: 512) }
        // A part without a name.
        let nameless = Array("------WebKitFormBoundaryX3\r\nContent-Type: text/plain\r\n\r\nx\r\n------WebKitFormBoundaryX3--".utf8)
        #expect(throws: MultipartFormReader.Malformed.self) { _ = try Self.read(nameless, chunk: 8) }
        // A boundary that does not end its line.
        let garbled = Array("------WebKitFormBoundaryX3XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n".utf8)
        #expect(throws: MultipartFormReader.Malformed.self) { _ = try Self.read(garbled, chunk: 8) }
    }

    @Test func aPreambleOfAnySizeIsSkipped() throws {
        let body = Array(repeating: UInt8(ascii: "p"), count: 100_000) + Array("\r\n".utf8) + Self.body(file: [1, 2, 3])
        let (fields, file, _) = try Self.read(body, chunk: 1000)
        #expect(fields["name"] == "my image")
        #expect(file == [1, 2, 3])
    }
}
