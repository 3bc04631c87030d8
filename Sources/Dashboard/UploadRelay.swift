import AsyncAlgorithms
import NIOCore

/// Hands a request's body to the HTTP client that sends it on to ingest,
/// from a task the page handler owns. The client reads what it sends in a
/// task of its own, and when ingest refuses an upload before its end the
/// client stops reading while that task may still be waiting for bytes;
/// Hummingbird then reads the rest of the body itself. Two readers of one
/// body is what its iterator forbids, so the body is never given to the
/// client: the relay reads it and passes each chunk through a channel that
/// holds one chunk at a time (the browser goes at ingest's pace). When the
/// answer is in, the channel is closed and the relay reads what is left of
/// the body without passing it on (as Hummingbird would, to reach the next
/// request on the connection), and it is awaited before the handler returns.
enum UploadRelay {
    /// Runs `send` with a sequence of `body`'s chunks; returns what it returns.
    static func relaying<Body: AsyncSequence & Sendable, Value: Sendable>(
        _ body: Body, _ send: (AsyncThrowingChannel<ByteBuffer, any Error>) async throws -> Value
    ) async throws -> Value where Body.Element == ByteBuffer {
        let channel = AsyncThrowingChannel<ByteBuffer, any Error>()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    // Once the channel is closed, a send returns at once: the rest is read and dropped.
                    for try await chunk in body { await channel.send(chunk) }
                    channel.finish()
                } catch {
                    channel.fail(error)
                }
            }
            do {
                let value = try await send(channel)
                channel.finish()
                try? await group.waitForAll()
                return value
            } catch {
                channel.finish()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}
