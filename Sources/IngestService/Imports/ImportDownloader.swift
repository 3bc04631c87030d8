import AsyncHTTPClient
import BlobStore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ReadModel
import RegistryDomain
import RegistryRuntime

/// Downloads one import into its partial file (``PartialBlob``), resuming
/// after the bytes a previous attempt made durable, and stores the image
/// once every check passes.
///
/// Redirects are followed here, at most ``maximumRedirects``, each one's
/// address checked by the outbound rules before it is requested, and the
/// credentials are dropped when a redirect leaves the URL's origin. A
/// resume asks for `Range: bytes=N-` with `If-Range` on the validator the
/// server gave (a strong `ETag`, or `Last-Modified`); a server that answers
/// with the whole file starts it again. There is no total time limit: a
/// response that sends nothing for the stall timeout (the HTTP client's
/// read timeout) fails the attempt, to be retried.
struct ImportDownloader: Sendable {
    static let maximumRedirects = 5
    /// How many bytes arrive between two synchronizations of the partial file.
    static let checkpointBytes: Int64 = 64 << 20
    /// How often progress is reported between checkpoints.
    static let reportInterval: Duration = .seconds(1)

    let client: HTTPClient
    let addresses: OutboundAddressGuard
    let blobs: FileBlobStore

    /// Downloads `request` as far as `progress` says it got; reports
    /// progress through `report` (after each checkpoint with the new durable
    /// length). `quota`, when set, is the most bytes a quota leaves the
    /// image and the refusal to give past it: a server announcing more is
    /// refused before a byte is stored, and a body passing it is cut off at
    /// the chunk that would. Throws ``ImportFailure`` when retrying cannot help.
    func download(
        _ request: ImageImportRequested, credentials: DownloadCredentials?, quota: ByteAllowance? = nil,
        progress: inout ImportProgress, report: (ImportProgress) async throws -> Void
    ) async throws -> StoredBlob {
        var partial: PartialBlob
        do {
            partial = try await blobs.openPartial(of: request.importID, durableLength: progress.durableBytes)
        } catch {
            await blobs.removePartial(of: request.importID)
            throw ImportFailure.permanent(error) ?? error
        }
        do {
            try await fetch(
                request, credentials: credentials, quota: quota, into: &partial, progress: &progress, report: report)
        } catch {
            if let failure = ImportFailure.permanent(error) {
                await partial.discard()
                throw failure
            }
            if let durable = try? await partial.checkpoint() { progress.durableBytes = durable }
            await partial.suspend()
            throw error
        }
        progress.state = .verifying
        progress.bytes = partial.length
        try await report(progress)
        do {
            return try await partial.finish(expecting: request.sha256)
        } catch {
            // The partial file is gone: a retry starts from the first byte.
            progress.durableBytes = 0
            progress.validator = nil
            throw ImportFailure.permanent(error) ?? error
        }
    }

    private func fetch(
        _ request: ImageImportRequested, credentials: DownloadCredentials?, quota: ByteAllowance?,
        into partial: inout PartialBlob,
        progress: inout ImportProgress, report: (ImportProgress) async throws -> Void
    ) async throws {
        let resumeFrom = partial.length
        let response = try await follow(
            request.url.url, credentials: credentials,
            range: resumeFrom > 0 ? progress.validator.map { (resumeFrom, $0) } : nil)
        var total: Int64?
        switch response.status.code {
        case 206:
            guard let range = ContentRange(response.headers.first(name: "Content-Range")), range.start == resumeFrom
            else {
                progress.validator = nil
                progress.durableBytes = 0
                throw TransientDownloadFailure(
                    description: "the server answered a range that does not start at byte \(resumeFrom); starting again")
            }
            total = range.total
        case 200:
            if partial.length > 0 { try await partial.restart() }
            total = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        case 408, 429, 500...599:
            throw TransientDownloadFailure(description: "the server answered \(response.status)")
        default:
            throw ImportFailure(code: .downloadRefused, message: "the server answered \(response.status)")
        }
        if let total, total > blobs.maximumSize {
            throw ImportFailure(code: .tooLarge, message: "an image may be at most \(blobs.maximumSize) bytes; the server announced \(total)")
        }
        if let total, let quota, total > quota.bytes {
            throw ImportFailure(code: .quotaExceeded, message: "\(quota.refusal); the server announced \(total) bytes")
        }
        progress.state = .downloading
        progress.totalBytes = total
        progress.validator = Self.validator(of: response.headers)
        progress.bytes = partial.length
        try await report(progress)
        var lastReport = ContinuousClock.now
        for try await chunk in response.body {
            if let quota, partial.length + Int64(chunk.readableBytes) > quota.bytes {
                throw ImportFailure(code: .quotaExceeded, message: "\(quota.refusal); the download passed it")
            }
            try await partial.append(chunk)
            if partial.length - progress.durableBytes >= Self.checkpointBytes {
                progress.durableBytes = try await partial.checkpoint()
                progress.bytes = partial.length
                try await report(progress)
                lastReport = .now
            } else if ContinuousClock.now - lastReport >= Self.reportInterval {
                progress.bytes = partial.length
                try await report(progress)
                lastReport = .now
            }
        }
        progress.bytes = partial.length
        if let total, partial.length != total {
            throw TransientDownloadFailure(description: "the connection ended after \(partial.length) of \(total) bytes")
        }
    }

    /// Requests `url`, following redirects that lead to addresses the
    /// registry may reach; `range` asks for the bytes from an offset, if the
    /// file still has the validator.
    private func follow(_ start: URL, credentials: DownloadCredentials?, range: (Int64, String)?) async throws
        -> HTTPClientResponse
    {
        var url = start
        var credentials = credentials
        for _ in 0...Self.maximumRedirects {
            try await addresses.check(url)
            var request = HTTPClientRequest(url: url.absoluteString)
            request.headers.add(name: "User-Agent", value: "image-registry-import")
            request.headers.add(name: "Accept-Encoding", value: "identity")
            if let credentials { request.headers.add(name: "Authorization", value: credentials.authorization) }
            if let (offset, validator) = range {
                request.headers.add(name: "Range", value: "bytes=\(offset)-")
                request.headers.add(name: "If-Range", value: validator)
            }
            let response = try await client.execute(request, deadline: .distantFuture)
            guard [301, 302, 303, 307, 308].contains(response.status.code) else { return response }
            var drained = 0
            for try await chunk in response.body {
                drained += chunk.readableBytes
                if drained > 64 << 10 { break }
            }
            guard let location = response.headers.first(name: "Location"),
                let next = URL(string: location, relativeTo: url)?.absoluteURL,
                let checked = try? DownloadURL(validating: next.absoluteString)
            else {
                throw ImportFailure(
                    code: .downloadRefused, message: "the server redirected (\(response.status)) to no http or https URL")
            }
            if checked.url.scheme != url.scheme || checked.url.host != url.host || checked.url.port != url.port {
                credentials = nil
            }
            url = checked.url
        }
        throw ImportFailure(code: .tooManyRedirects, message: "the server redirected more than \(Self.maximumRedirects) times")
    }

    /// What `If-Range` may name: a strong `ETag`, or else `Last-Modified`.
    static func validator(of headers: HTTPHeaders) -> String? {
        if let tag = headers.first(name: "ETag"), !tag.hasPrefix("W/") { return tag }
        return headers.first(name: "Last-Modified")
    }
}

/// A download attempt that failed in a way a later one may not.
struct TransientDownloadFailure: Error, CustomStringConvertible {
    let description: String
}

/// A `Content-Range: bytes start-end/total` header.
struct ContentRange: Equatable {
    let start: Int64
    let end: Int64
    let total: Int64?

    init?(_ text: String?) {
        guard let text, text.hasPrefix("bytes ") else { return nil }
        let parts = text.dropFirst(6).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let bounds = parts.first?.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false) ?? []
        let digits = { (text: Substring) in !text.isEmpty && text.utf8.allSatisfy { (0x30...0x39).contains($0) } }
        guard parts.count == 2, bounds.count == 2, digits(bounds[0]), digits(bounds[1]),
            let start = Int64(bounds[0]), let end = Int64(bounds[1]), end >= start
        else { return nil }
        self.start = start
        self.end = end
        if parts[1] == "*" {
            total = nil
        } else {
            guard digits(parts[1]), let total = Int64(parts[1]), total > end else { return nil }
            self.total = total
        }
    }
}

/// The most bytes a quota leaves a download, and what a refusal says.
struct ByteAllowance: Sendable {
    let bytes: Int64
    let refusal: String
}
