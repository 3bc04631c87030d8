import Testing

@testable import RegistryHTTP

/// Reading the process's own figures out of `/proc`, and metric names.
@Suite struct ProcessMetricsTests {
    @Test func theStatLineIsReadFromTheLastParenthesis() throws {
        // A command name with spaces and parentheses, as proc(5) allows.
        let line = "4242 (image (ingest) 2) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 9 0 "
            + "123456 987654321 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0"
        let stat = try #require(ProcessStat(parsing: line))
        #expect([stat.userTicks, stat.systemTicks, stat.startTicks, stat.virtualBytes, stat.residentPages]
            == [250, 75, 123456, 987654321, 2048])
        #expect(ProcessStat(parsing: "4242 (truncated) S 1 2") == nil)
        #expect(ProcessStat(parsing: "no parenthesis at all") == nil)
    }

    @Test func bootTimeAndTheOpenFileLimitAreFound() {
        #expect(ProcessStat.bootTime(parsing: "cpu  1 2 3\nbtime 1764633600\nprocesses 10\n") == 1_764_633_600)
        #expect(ProcessStat.bootTime(parsing: "cpu  1 2 3\n") == nil)
        let limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max cpu time              unlimited            unlimited            seconds
            Max open files            1048576              1048576              files
            """
        #expect(ProcessStat.openFileLimit(parsing: limits) == 1_048_576)
    }

    @Test func hummingbirdsMetricsGetConventionalNamesAndEveryNameIsValid() {
        #expect(MetricCatalog.family(for: "hb.requests").name == "http_server_requests_total")
        #expect(MetricCatalog.family(for: "http.server.request.duration").name == "http_server_request_duration_seconds")
        #expect(MetricCatalog.families.values.allSatisfy { !$0.help.isEmpty })
        #expect(MetricCatalog.family(for: "some.new-metric").name == "some_new_metric")
        #expect(MetricCatalog.family(for: "some.new-metric").help.isEmpty)
        #expect(MetricCatalog.sanitized("9lives.x") == "_lives_x")
    }
}
