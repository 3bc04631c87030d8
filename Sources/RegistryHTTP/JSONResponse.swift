import Foundation
import HTTPTypes
import Hummingbird
import RegistryAPI

/// Builds JSON answers with the registry's encoding (``RegistryJSON``).
public enum JSONResponse {
    /// Encodes `value` as the body of an answer with `status`.
    public static func encode(_ value: some Encodable, status: HTTPResponse.Status, headers: HTTPFields = [:]) throws
        -> Response
    {
        let data = try RegistryJSON.encoder().encode(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(data.count)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
