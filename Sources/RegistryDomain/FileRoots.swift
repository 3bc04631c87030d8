import Foundation

/// The directories `file://` image locations may point into: the blob
/// store, the base images and the shared images volume. A location outside
/// them could make a worker (or a download) read any file of the host.
public struct FileRoots: Sendable, Equatable {
    public let roots: [String]

    /// - Parameter roots: absolute directories; `..` and trailing slashes are normalised away.
    public init(_ roots: [String]) {
        self.roots = roots.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    }

    /// The file path of `location` when it is a `file://` URI inside a root.
    public func path(of location: ImageLocation) -> String? {
        guard location.value.hasPrefix("file://"), let url = URL(string: location.value), url.isFileURL else {
            return nil
        }
        let path = url.standardizedFileURL.path
        return contains(path) ? path : nil
    }

    /// True when `path` (already resolved) lies inside one of the roots.
    public func contains(_ path: String) -> Bool {
        roots.contains { root in path.hasPrefix(root.hasSuffix("/") ? root : root + "/") }
    }
}
