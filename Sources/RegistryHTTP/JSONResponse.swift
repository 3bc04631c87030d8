import Foundation
import HTTPTypes
import Hummingbird

/// Builds JSON answers with the registry's encoding: ISO 8601 dates with
/// milliseconds, sorted keys, unescaped slashes.
public enum JSONResponse {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return encoder
    }

    /// Encodes `value` as the body of an answer with `status`.
    public static func encode(_ value: some Encodable, status: HTTPResponse.Status, headers: HTTPFields = [:]) throws
        -> Response
    {
        let data = try encoder().encode(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(data.count)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
