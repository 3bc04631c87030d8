import Foundation
import Prometheus
import Synchronization

/// The process's own metrics by Prometheus' conventions (`process_*`, as
/// the official client libraries export them), read from `/proc` at each
/// scrape.
final class ProcessMetrics: Sendable {
    private let cpu: Prometheus.Counter
    private let resident: Prometheus.Gauge
    private let virtual: Prometheus.Gauge
    private let openFiles: Prometheus.Gauge
    private let maximumFiles: Prometheus.Gauge
    private let started: Prometheus.Gauge
    /// CPU seconds already added to ``cpu``, which only counts up.
    private let countedCPU = Mutex<Double>(0)

    init(registry: PrometheusCollectorRegistry) {
        func gauge(_ name: String, _ help: String) -> Prometheus.Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help))
        }
        cpu = registry.makeCounter(descriptor: MetricNameDescriptor(
            metricName: "process_cpu_seconds_total", unitName: "", helpText: "User and system CPU time spent, in seconds."))
        resident = gauge("process_resident_memory_bytes", "Resident memory size, in bytes.")
        virtual = gauge("process_virtual_memory_bytes", "Virtual memory size, in bytes.")
        openFiles = gauge("process_open_fds", "Open file descriptors.")
        maximumFiles = gauge("process_max_fds", "The most file descriptors the process may open.")
        started = gauge("process_start_time_seconds", "When the process started, in seconds since the Unix epoch.")
    }

    /// Reads `/proc` and sets every gauge; a file that cannot be read
    /// leaves its metrics as they were.
    func update() {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let stat = ProcessStat(parsing: text)
        {
            let seconds = Double(stat.userTicks + stat.systemTicks) / ticks
            let delta = countedCPU.withLock { counted in
                defer { counted = max(counted, seconds) }
                return seconds - counted
            }
            if delta > 0 { cpu.increment(by: delta) }
            resident.set(to: Double(stat.residentPages) * pageSize)
            virtual.set(to: Double(stat.virtualBytes))
            if let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
                let boot = ProcessStat.bootTime(parsing: text)
            {
                started.set(to: boot + Double(stat.startTicks) / ticks)
            }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFiles.set(to: Double(entries.count))
        }
        if let text = try? String(contentsOfFile: "/proc/self/limits", encoding: .utf8),
            let limit = ProcessStat.openFileLimit(parsing: text)
        {
            maximumFiles.set(to: Double(limit))
        }
    }
}

/// The fields of `/proc/self/stat` (proc(5)) the process metrics use.
struct ProcessStat {
    var userTicks: Int64
    var systemTicks: Int64
    /// When the process started, in clock ticks after boot.
    var startTicks: Int64
    var virtualBytes: Int64
    var residentPages: Int64

    /// Parses the one line of `/proc/self/stat`. The command name (field 2)
    /// is in parentheses and may itself hold spaces and parentheses, so the
    /// fields are counted from the last `)`.
    init?(parsing line: String) {
        guard let close = line.lastIndex(of: ")") else { return nil }
        // Field 3 (state) is the first after the name.
        let fields = line[line.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        func field(_ number: Int) -> Int64? {
            let index = number - 3
            return fields.indices.contains(index) ? Int64(fields[index]) : nil
        }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
            let resident = field(24)
        else { return nil }
        (userTicks, systemTicks, startTicks, virtualBytes, residentPages) = (user, system, start, virtual, resident)
    }

    /// The boot time (`btime`) of `/proc/stat`, in seconds since the epoch.
    static func bootTime(parsing text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix("btime ") }
            .flatMap { Double($0.dropFirst("btime ".count).trimmingCharacters(in: .whitespaces)) }
    }

    /// The soft limit of `Max open files` in `/proc/self/limits`.
    static func openFileLimit(parsing text: String) -> Int64? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") }) else { return nil }
        return line.dropFirst("Max open files".count).split(separator: " ").first.flatMap { Int64($0) }
    }
}
