import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

extension ImportImageRequest {
    /// The validated fields, for `caller`; 400 naming the broken rule.
    func validated(for caller: Caller) throws(APIError) -> ValidatedImport {
        try RegistryHTTP.validated { () throws(NameError) in
            let (url, credentials) = try DownloadURL.splitting(downloadURL)
            return ValidatedImport(
                scope: try RegisterImageRequest.scope(name: name, namespace: namespace, source: source, caller: caller),
                url: url, credentials: credentials,
                sha256: try sha256.map { text throws(NameError) in try SHA256Digest(hex: text) })
        }
    }

    struct ValidatedImport: Sendable {
        let scope: ImageScope
        let url: DownloadURL
        let credentials: DownloadCredentials?
        let sha256: SHA256Digest?
    }
}
