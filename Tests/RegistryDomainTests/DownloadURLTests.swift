import Foundation
import Testing
@testable import RegistryDomain

@Suite("Download URLs keep their credentials apart")
struct DownloadURLTests {
    @Test("credentials are taken out of the URL, percent-decoded")
    func credentialsAreSplitOff() throws {
        let (url, credentials) = try DownloadURL.splitting("https://bob:p%40ss%20word@files.example.com:8443/a/disk.qcow2?x=1")
        #expect(url.value == "https://files.example.com:8443/a/disk.qcow2?x=1")
        #expect(credentials?.user == "bob")
        #expect(credentials?.password == "p@ss word")
        #expect(credentials?.authorization == "Basic " + Data("bob:p@ss word".utf8).base64EncodedString())
        #expect(DownloadCredentials(joined: credentials!.joined) == credentials)
    }

    @Test("a URL without credentials stays as it is")
    func plainURL() throws {
        let (url, credentials) = try DownloadURL.splitting("http://127.0.0.1:9000/disk.qcow2")
        #expect(url.value == "http://127.0.0.1:9000/disk.qcow2")
        #expect(credentials == nil)
    }

    @Test("URLs an import may not use are refused, naming the field", arguments: [
        "ftp://files.example.com/disk.qcow2", "file:///etc/passwd", "https:///disk", "not a url", "http://a.example/x#frag",
        "http://a.example/a b", "https://:secret@a.example/x", "http://a.example/\u{7F}",
        "https://a.example/" + String(repeating: "x", count: 2100),
    ])
    func refused(_ text: String) {
        #expect(throws: NameError.self) { try DownloadURL.splitting(text) }
        do {
            _ = try DownloadURL.splitting(text)
        } catch {
            #expect(error.field == "download_url")
        }
    }

    @Test("a stored URL holds no credentials")
    func storedURLsHaveNone() {
        #expect(throws: NameError.self) { try DownloadURL(validating: "https://bob:pw@a.example/x") }
    }

    @Test("only the requester, the image's owner and administrators see an import")
    func whoSeesAnImport() throws {
        let (alice, bob, eve) = (try Username("alice"), try Username("bob"), try Username("eve"))
        #expect(AccessPolicy.canSee(importOf: alice, requestedBy: "bob", viewer: Viewer(username: bob)))
        #expect(AccessPolicy.canSee(importOf: alice, requestedBy: "bob", viewer: Viewer(username: alice)))
        #expect(!AccessPolicy.canSee(importOf: alice, requestedBy: "bob", viewer: Viewer(username: eve)))
        #expect(!AccessPolicy.canSee(importOf: nil, requestedBy: "bob", viewer: Viewer(username: nil)))
        #expect(AccessPolicy.canSee(importOf: nil, requestedBy: "root", viewer: Viewer(username: eve, isAdministrator: true)))
    }
}
