/// When a delivery that failed in a way worth retrying is tried again:
/// exponential backoff (1 s, 2 s, 4 s, … up to ``maximumDelay``) with full
/// jitter (a random wait between half the step and the step), so receivers
/// that came back are not hit by every dispatcher at once; after
/// ``period`` since the first attempt the delivery is marked failed.
public struct WebhookRetrySchedule: Sendable, Equatable {
    public var period: Duration
    public var firstDelay: Duration
    public var maximumDelay: Duration

    public init(period: Duration, firstDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(300)) {
        self.period = period
        self.firstDelay = firstDelay
        self.maximumDelay = maximumDelay
    }

    /// The wait after failed attempt number `attempt` (1 for the first),
    /// or `nil` when the delivery, first tried `elapsed` ago, is out of time.
    /// `random` picks a fraction in 0...1 (the jitter).
    public func delay(afterAttempt attempt: Int, elapsed: Duration, random: () -> Double) -> Duration? {
        let exponent = min(max(attempt - 1, 0), 30)
        let step = min(firstDelay * (1 << exponent), maximumDelay)
        let wait = step * (0.5 + 0.5 * min(max(random(), 0), 1))
        return elapsed + wait <= period ? wait : nil
    }
}
