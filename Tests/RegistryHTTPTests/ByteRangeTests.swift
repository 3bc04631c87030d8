import RegistryHTTP
import Testing

@Suite("Range requests")
struct ByteRangeTests {
    @Test("ranges a downloader sends", arguments: [
        ("bytes=0-99", ByteRange.partial(0...99)),
        ("bytes=100-", .partial(100...999)),
        ("bytes=-10", .partial(990...999)),
        ("bytes=-5000", .partial(0...999)),
        ("bytes=900-5000", .partial(900...999)),
        ("bytes=1000-", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=5-2", .whole),
        ("bytes=0-1,5-6", .whole),
        ("items=0-1", .whole),
        ("bytes=a-b", .whole),
        ("bytes=1-x", .whole),
    ])
    func parse(_ header: String, _ expected: ByteRange) {
        #expect(ByteRange(header: header, size: 1000) == expected)
    }

    @Test("no header is the whole file")
    func absent() {
        #expect(ByteRange(header: nil, size: 10) == .whole)
    }
}
