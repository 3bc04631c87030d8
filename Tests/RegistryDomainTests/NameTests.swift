import Testing
@testable import RegistryDomain

@Suite("Names follow Djinn CI's rules")
struct NameTests {
    @Test("custom image names: letters, digits, '_' and '-' only", arguments: [
        "my-image", "ubuntu_22", "A", "x1-y2_z3",
    ])
    func acceptsCustomImageNames(_ name: String) throws {
        #expect(try ImageName(name).value == name)
    }

    @Test("custom image names reject '/', dots, spaces and empties", arguments: [
        "debian/stable", "my.image", "my image", "", "näme", "a;b", String(repeating: "a", count: 129),
    ])
    func rejectsBadCustomImageNames(_ name: String) {
        #expect(throws: NameError.self) { try ImageName(name) }
    }

    @Test("the error names the field and the rule")
    func errorNamesFieldAndRule() {
        let error = #expect(throws: NameError.self) { try ImageName("a/b", field: "image") }
        #expect(error?.field == "image")
        #expect(error?.message.contains("letters, digits") == true)
    }

    @Test("base image names may hold '/' and '.'", arguments: ["debian/stable", "alpine/3.15", "arch", "freebsd/13"])
    func acceptsBaseNames(_ name: String) throws {
        #expect(try BaseImageName(name).value == name)
    }

    @Test("base image names reject traversal and empty segments", arguments: ["../etc", "a//b", "/arch", "arch/", "a/../b", "a b"])
    func rejectsBadBaseNames(_ name: String) {
        #expect(throws: NameError.self) { try BaseImageName(name) }
    }

    @Test("namespace segments are letters and digits")
    func namespaceSegments() throws {
        #expect(try NamespacePath("team/infra/ci").segments == ["team", "infra", "ci"])
        #expect(throws: NameError.self) { try NamespacePath("team-a") }
        #expect(throws: NameError.self) { try NamespacePath("team_a") }
        #expect(throws: NameError.self) { try NamespacePath("team//infra") }
        #expect(throws: NameError.self) { try NamespacePath("") }
    }

    @Test("namespaces nest at most 20 deep")
    func namespaceDepth() throws {
        let twenty = (1...20).map { "s\($0)" }.joined(separator: "/")
        #expect(try NamespacePath(twenty).segments.count == 20)
        #expect(throws: NameError.self) { try NamespacePath(twenty + "/s21") }
    }

    @Test("a namespace's lineage runs from the root to itself")
    func lineage() throws {
        let path = try NamespacePath("a/b/c")
        #expect(path.lineage.map(\.value) == ["a", "a/b", "a/b/c"])
        #expect(path.parent?.value == "a/b")
        #expect(path.root.value == "a")
        #expect(try NamespacePath("a").parent == nil)
    }

    @Test("path@owner names the owner; a bare path belongs to the default owner")
    func namespaceReferences() throws {
        let alice = try Username("alice")
        let own = try NamespaceReference(parsing: "team/infra", defaultOwner: alice)
        #expect(own.owner == alice)
        #expect(own.description == "team/infra@alice")
        let other = try NamespaceReference(parsing: "team@bob", defaultOwner: alice)
        #expect(other.owner.value == "bob")
        #expect(other.path.value == "team")
        #expect(throws: NameError.self) { try NamespaceReference(parsing: "team", defaultOwner: nil) }
        #expect(throws: NameError.self) { try NamespaceReference(parsing: "a@b@c", defaultOwner: alice) }
        #expect(throws: NameError.self) { try NamespaceReference(parsing: "team@", defaultOwner: alice) }
    }

    @Test("digests are 64 hexadecimal characters, kept lowercase")
    func digests() throws {
        let upper = String(repeating: "AB", count: 32)
        #expect(try SHA256Digest(hex: upper).hex == upper.lowercased())
        #expect(throws: NameError.self) { try SHA256Digest(hex: String(repeating: "a", count: 63)) }
        #expect(throws: NameError.self) { try SHA256Digest(hex: String(repeating: "g", count: 64)) }
    }

    @Test("locations are file, s3 or https URIs without traversal")
    func locations() throws {
        #expect(try ImageLocation("file:///var/lib/images/a.qcow2").value.hasPrefix("file://"))
        #expect(try ImageLocation("s3://bucket/images/a.qcow2").value.hasPrefix("s3://"))
        #expect(try ImageLocation("https://cdn.example/a.qcow2").value.hasPrefix("https://"))
        for bad in ["http://insecure/a", "ftp://x/y", "/var/lib/a.qcow2", "file:///var/../etc/passwd", "file:///a b", "file://"] {
            #expect(throws: NameError.self, "\(bad)") { try ImageLocation(bad) }
        }
    }

    @Test("log positions are written partition:offset")
    func positions() {
        #expect(LogPosition("3:42") == LogPosition(partition: 3, offset: 42))
        #expect(LogPosition(partition: 3, offset: 42).description == "3:42")
        for bad in ["3", "3:", ":4", "-1:4", "3:-4", "a:b", "1:2:3"] {
            #expect(LogPosition(bad) == nil, "\(bad)")
        }
    }

    @Test("drivers: only qemu uses stored images")
    func drivers() throws {
        #expect(try Driver(parsing: "qemu") == .qemu)
        let error = #expect(throws: NameError.self) { try Driver(parsing: "docker") }
        #expect(error?.message.contains("docker") == true)
    }
}
