import Foundation
import Hummingbird
import RegistryAPI
import RegistryDomain

/// Reads a JSON request body into a command, with the registry's errors:
/// 415 for another content type, 413 past the size limit, 400 naming the
/// field for anything malformed.
public enum JSONBody {
    /// Largest JSON command accepted.
    public static let maximumSize = 64 * 1024

    /// - Parameter limit: the largest body accepted, in bytes.
    public static func decode<Command: Decodable>(
        _ type: Command.Type, from request: Request, limit: Int = maximumSize
    ) async throws -> Command {
        try await decodeKeepingBytes(type, from: request, limit: limit).command
    }

    /// ``decode(_:from:limit:)``, also returning the body's bytes (for the
    /// request's idempotency fingerprint).
    public static func decodeKeepingBytes<Command: Decodable>(
        _ type: Command.Type, from request: Request, limit: Int = maximumSize
    ) async throws -> (command: Command, bytes: [UInt8]) {
        guard let contentType = request.headers[.contentType],
            contentType.lowercased().hasPrefix("application/json")
        else {
            throw APIError.unsupportedMediaType("send the command as application/json")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.payloadTooLarge("a JSON command may be at most \(limit) bytes")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            throw APIError.payloadTooLarge("a JSON command may be at most \(limit) bytes")
        }
        do {
            return (try RegistryJSON.decoder().decode(Command.self, from: body), Array(body.readableBytesView))
        } catch let error as NameError {
            throw APIError.invalidName(error)
        } catch let error as DecodingError {
            throw APIError.badRequest(DecodingErrorDescription.describe(error), code: "invalid_json")
        }
    }
}
