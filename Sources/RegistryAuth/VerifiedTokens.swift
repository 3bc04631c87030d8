import Foundation
import Synchronization

/// Tokens this replica has verified, with the caller each stands for, until
/// they expire. Verifying a signature and decoding the claims on every
/// request costs more than the lookup the request asks for; the same token
/// string always verifies to the same caller, so only the expiry is checked
/// again.
final class VerifiedTokens: Sendable {
    private struct Entry {
        let caller: Caller
        let expires: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    /// - Parameter capacity: tokens kept at most; when full, it starts over.
    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The caller of a token verified before that has not expired yet.
    func caller(for token: String, at now: Date = Date()) -> Caller? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expires > now else {
                entries[token] = nil
                return nil
            }
            return entry.caller
        }
    }

    func remember(_ caller: Caller, for token: String, expires: Date) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = Entry(caller: caller, expires: expires)
        }
    }
}
