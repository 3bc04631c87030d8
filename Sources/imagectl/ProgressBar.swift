import Foundation
import Synchronization

/// Progress on standard error: a one-line bar redrawn in place on a
/// terminal (bytes, rate and time left), the same as plain lines every ten
/// seconds elsewhere (a CI log), nothing with `--quiet`.
final class ProgressBar: Sendable {
    enum Style: Sendable {
        case bar, lines, quiet

        /// The bar on a terminal, lines elsewhere, nothing when `quiet`.
        static func choose(quiet: Bool) -> Style {
            quiet ? .quiet : isatty(STDERR_FILENO) == 1 ? .bar : .lines
        }
    }

    private struct State {
        var sent: Int64 = 0
        var total: Int64
        var lastDrawn = Date.distantPast
    }

    private let style: Style
    private let started = Date()
    private let state: Mutex<State>

    init(total: Int64, style: Style) {
        self.style = style
        state = Mutex(State(total: total))
    }

    /// `bytes` more were sent.
    func advance(by bytes: Int) {
        draw { $0.sent += Int64(bytes) }
    }

    /// `sent` of `total` bytes are done (a total learnt on the way).
    func show(sent: Int64, of total: Int64) {
        draw { state in
            state.sent = sent
            state.total = total
        }
    }

    private func draw(_ change: (inout State) -> Void) {
        guard style != .quiet else { return }
        let interval: TimeInterval = style == .bar ? 0.1 : 10
        let line: String? = state.withLock { state in
            change(&state)
            let now = Date()
            guard now.timeIntervalSince(state.lastDrawn) >= interval || (style == .bar && state.sent == state.total)
            else { return nil }
            state.lastDrawn = now
            return Self.render(sent: state.sent, total: state.total, elapsed: now.timeIntervalSince(started))
        }
        if let line { FileHandle.standardError.write(Data((style == .bar ? "\r" + line : line + "\n").utf8)) }
    }

    /// Ends the bar's line; in lines, writes where the transfer ended.
    func finish() {
        switch style {
        case .bar:
            FileHandle.standardError.write(Data("\n".utf8))
        case .lines:
            let line = state.withLock { Self.render(sent: $0.sent, total: $0.total, elapsed: Date().timeIntervalSince(started)) }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        case .quiet:
            break
        }
    }

    /// `[#########-----------]  45%  230.0/512.0 MiB  85.3 MiB/s  3s left`
    static func render(sent: Int64, total: Int64, elapsed: TimeInterval, width: Int = 24) -> String {
        let fraction = total > 0 ? min(1, Double(sent) / Double(total)) : 1
        let filled = Int(fraction * Double(width))
        let rate = elapsed > 0 ? Double(sent) / elapsed : 0
        let left = rate > 0 ? Int((Double(total - sent) / rate).rounded(.up)) : 0
        let mebibyte = 1_048_576.0
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + String(format: "%3d%%  %.1f/%.1f MiB  %.1f MiB/s  %ds left", Int(fraction * 100),
                     Double(sent) / mebibyte, Double(total) / mebibyte, rate / mebibyte, max(0, left))
    }
}
