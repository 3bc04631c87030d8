/// Refuses a QCOW2 file that another format's probe would also recognise (a
/// polyglot): a tool or hypervisor that probes the format could open it as
/// that other format and read different bytes than the registry verified.
///
/// The probes are those of OpenStack's format inspector
/// (`oslo_utils.imageutils.format_inspector`). Formats whose signature sits
/// at offset 0 (VMDK, VHD, VHDX, LUKS, QED, gzip) cannot share a file with the
/// QCOW2 magic; the ones below look elsewhere.
enum QCOW2FormatProbes {
    private struct Probe {
        let format: String
        let offset: Int
        let signature: [UInt8]
    }

    private static let probes: [Probe] = [
        // An MBR (or the protective MBR of a GPT disk) ends its first sector with 0x55AA.
        Probe(format: "an MBR-partitioned disk (boot signature 0x55AA at byte 510)", offset: 510, signature: [0x55, 0xAA]),
        Probe(format: "a GPT disk (\"EFI PART\" at byte 512)", offset: 512, signature: Array("EFI PART".utf8)),
        // VirtualBox's VDI: the little-endian signature 0xbeda107f at 0x40.
        Probe(format: "a VDI disk (signature 0xbeda107f at byte 64)", offset: 0x40, signature: [0x7F, 0x10, 0xDA, 0xBE]),
    ] + volumeDescriptorProbes

    /// ISO 9660 and UDF volume descriptors: one per 2 KiB sector from 32 KiB,
    /// each a type byte followed by a five-letter standard identifier.
    private static let volumeDescriptorProbes: [Probe] = (16..<20).flatMap { sector in
        ["CD001", "BEA01", "NSR02", "NSR03", "TEA01", "BOOT2", "CDW02"].map { identifier in
            Probe(
                format: "an ISO 9660 or UDF volume (\"\(identifier)\" at byte \(sector * 2048 + 1))",
                offset: sector * 2048 + 1, signature: Array(identifier.utf8))
        }
    }

    /// A VHD footer ("conectix") in the file's last 512 bytes.
    static let trailerLength = 512
    private static let vhdFooter = Array("conectix".utf8)

    static func refuseOtherFormats(_ prefix: [UInt8]) throws(QCOW2ValidationError) {
        for probe in probes where probe.offset + probe.signature.count <= prefix.count {
            if prefix[probe.offset..<probe.offset + probe.signature.count].elementsEqual(probe.signature) {
                throw QCOW2ValidationError(
                    "the file is a polyglot: it is also readable as \(probe.format); a QCOW2 image must not look like another format")
            }
        }
    }

    /// Refuses a file whose last bytes are another format's footer.
    static func refuseOtherFormats(trailer: [UInt8]) throws(QCOW2ValidationError) {
        guard trailer.count >= vhdFooter.count else { return }
        let footerStart = trailer.count >= trailerLength ? trailer.count - trailerLength : 0
        if trailer[footerStart...].starts(with: vhdFooter) {
            throw QCOW2ValidationError(
                "the file is a polyglot: it is also readable as a VHD disk (\"conectix\" footer); a QCOW2 image must not look like another format")
        }
    }
}
