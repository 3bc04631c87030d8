#!/usr/bin/env python3
"""Build the hostile-image corpus for the registry's QCOW2 upload check.

Usage: build_corpus.py OUTPUT_DIR

Every file starts from a real image made by `qemu-img create` / `convert` /
`snapshot` / `bitmap` / `resize` / `amend` / `rebase`; hostile files are those
images with a few header or table bytes patched with `struct`. Nothing is
random: the same qemu-img version gives the same bytes (snapshot timestamps
are overwritten with a fixed date; the one real LUKS image is the exception,
its key material comes from qemu-img and varies, its verdict does not).

VERDICT RULE (the "expect" field of manifest.json)
--------------------------------------------------
"reject" when any of these holds:
  * QEMU itself refuses it: `qemu-img info -f qcow2` fails (or crashes), or
    `qemu-img check -f qcow2` fails or reports corruption ("corruptions" > 0
    or "check-errors" > 0, exit status 2), or check's "image-end-offset" lies
    past the end of the file (clusters cut off; QEMU reads them as zeros);
  * it is not a self-contained, unencrypted QCOW2 v3 image: version 2 (or any
    version but 3), a backing file, an external data file (incompatible bit 2,
    autoclear bit 1 or a data-file name extension), encryption (crypt_method
    != 0 or a full-disk-encryption header extension);
  * it is marked dirty or corrupt (incompatible bits 0 and 1), even though
    QEMU opens such files read-only;
  * it breaks a structural rule the registry enforces beyond QEMU: header
    length not a multiple of 8, no end-of-extensions marker inside the first
    cluster, a table overlapping the header or another table, a table or an
    L2/refcount entry past the end of the file, a truncated file;
  * it is a polyglot: another format's probe (oslo.utils format_inspector,
    QEMU's own probes) would also recognise it -- ISO 9660/UDF at 0x8001, an
    MBR 0x55AA signature at 510 of the first sector, a GPT "EFI PART" at 512,
    VDI magic at 0x40, VMDK/VHD/VHDX/LUKS/QED magic at 0, a VHD footer at the
    end of the file;
  * its virtual size is 0 (nothing to boot) or over 2 TiB (2**41 bytes).
"accept" when QEMU opens it cleanly (info succeeds, check-errors == 0; leaked
clusters are NOT an error) and none of the above holds. This includes every
option `qemu-img create/convert` offers for a plain v3 image, unknown
*compatible* and *autoclear* feature bits and unknown header extensions
(QEMU ignores those).

The "message" field, where present, is a lowercase substring the registry's
422 message is expected to contain (compare case-insensitively).
"""

import gzip
import json
import os
import shutil
import struct
import subprocess
import sys

MiB = 1 << 20
GiB = 1 << 30
TiB = 1 << 40

# QCOW2 header field offsets (big-endian)
MAGIC, VERSION, BACKING_OFF, BACKING_SIZE, CLUSTER_BITS, SIZE = 0, 4, 8, 16, 20, 24
CRYPT, L1_SIZE, L1_OFF, RT_OFF, RT_CLUSTERS, NB_SNAP, SNAP_OFF = 32, 36, 40, 48, 56, 60, 64
INCOMPAT, COMPAT, AUTOCLEAR, REFCOUNT_ORDER, HDR_LEN, COMP_TYPE = 72, 80, 88, 96, 100, 104

EXT_END = 0
EXT_BACKING_FORMAT = 0xE2792ACA
EXT_FEATURE_TABLE = 0x6803F857
EXT_CRYPTO = 0x0537BE77
EXT_BITMAPS = 0x23852875
EXT_DATA_FILE = 0x44415441

OFFSET_MASK = 0x00FFFFFFFFFFFE00


class Corpus:
    def __init__(self, out):
        self.out = os.path.abspath(out)
        self.entries = []
        self.names = set()

    def path(self, name):
        return os.path.join(self.out, name)

    def add(self, name, expect, reason, message=None):
        assert expect in ("accept", "reject"), expect
        assert name not in self.names, name
        assert os.path.exists(self.path(name)), name
        self.names.add(name)
        e = {"file": name, "expect": expect, "reason": reason}
        if message:
            e["message"] = message
        self.entries.append(e)

    # -- qemu-img wrappers -------------------------------------------------
    def qemu(self, *args):
        subprocess.run(["qemu-img", *args], cwd=self.out, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def create(self, name, size, opts=None, extra=()):
        args = ["create", "-q", "-f", "qcow2"]
        if opts:
            args += ["-o", opts]
        self.qemu(*args, *extra, name, str(size))
        return name

    def convert(self, src, name, opts=None, compress=False, src_fmt="raw"):
        args = ["convert", "-f", src_fmt, "-O", "qcow2"]
        if compress:
            args.append("-c")
        if opts:
            args += ["-o", opts]
        self.qemu(*args, src, name)
        return name

    def copy(self, src, name):
        shutil.copyfile(self.path(src), self.path(name))
        return name

    # -- byte patches --------------------------------------------------------
    def patch(self, name, offset, fmt, *values):
        with open(self.path(name), "r+b") as f:
            f.seek(offset)
            f.write(struct.pack(">" + fmt if fmt[0] not in "<>" else fmt, *values))

    def write(self, name, offset, data):
        with open(self.path(name), "r+b") as f:
            f.seek(offset)
            f.write(data)

    def read(self, name, offset, length):
        with open(self.path(name), "rb") as f:
            f.seek(offset)
            return f.read(length)

    def field(self, name, offset, fmt):
        size = struct.calcsize(">" + fmt)
        return struct.unpack(">" + fmt, self.read(name, offset, size))[0]

    def size(self, name):
        return os.path.getsize(self.path(name))

    def truncate(self, name, length):
        with open(self.path(name), "r+b") as f:
            f.truncate(length)

    def cluster_size(self, name):
        return 1 << self.field(name, CLUSTER_BITS, "I")

    def extensions(self, name):
        """[(offset_of_ext_header, type, length)] up to and excluding the end marker."""
        off = self.field(name, HDR_LEN, "I")
        end = self.cluster_size(name)
        out = []
        while off + 8 <= end:
            typ, length = struct.unpack(">II", self.read(name, off, 8))
            if typ == EXT_END:
                break
            out.append((off, typ, length))
            off += 8 + ((length + 7) & ~7)
        return out

    def ext_payloads(self, name):
        return [(t, self.read(name, o + 8, l)) for o, t, l in self.extensions(name)]

    def set_extensions(self, name, exts, start=None, end_marker=True):
        """Rewrite the header-extension area (start .. end of cluster 0)."""
        if start is None:
            start = self.field(name, HDR_LEN, "I")
        area = bytearray()
        for typ, payload, *length in exts:
            n = length[0] if length else len(payload)
            area += struct.pack(">II", typ, n) + payload
            area += b"\0" * (-len(payload) % 8)
        if end_marker:
            area += b"\0" * 8
        limit = self.cluster_size(name) - start
        assert len(area) <= limit, (name, len(area), limit)
        area += b"\0" * (limit - len(area))
        self.write(name, start, bytes(area))

    def add_extension(self, name, typ, payload, length=None):
        exts = self.ext_payloads(name)
        exts.append((typ, payload) if length is None else (typ, payload, length))
        self.set_extensions(name, exts)

    def find_ext(self, name, typ):
        for o, t, l in self.extensions(name):
            if t == typ:
                return o, l
        raise KeyError(hex(typ))

    def normalize_snapshots(self, name):
        """Overwrite snapshot timestamps so the corpus is reproducible."""
        n = self.field(name, NB_SNAP, "I")
        off = self.field(name, SNAP_OFF, "Q")
        for i in range(n):
            _l1, _l1n, id_len, name_len, _s, _ns, _vmc, _vms, extra = struct.unpack(
                ">QIHHIIQII", self.read(name, off, 40))
            self.patch(name, off + 16, "IIQ", 1700000000 + i, 0, 0)
            off += 40 + extra + id_len + name_len
            off = (off + 7) & ~7

    def first_l2(self, name):
        """(file offset of the first allocated L1 entry's L2 table)."""
        l1 = self.field(name, L1_OFF, "Q")
        for i in range(self.field(name, L1_SIZE, "I")):
            e = self.field(name, l1 + 8 * i, "Q")
            if e & OFFSET_MASK:
                return l1 + 8 * i, e & OFFSET_MASK
        raise ValueError("no L2 table in " + name)

    def first_data_entry(self, name):
        _, l2 = self.first_l2(name)
        cs = self.cluster_size(name)
        ext_l2 = self.field(name, INCOMPAT, "Q") & 16
        step = 16 if ext_l2 else 8
        for off in range(l2, l2 + cs, step):
            e = self.field(name, off, "Q")
            if e & OFFSET_MASK and not e & (1 << 62):
                return off, e
        raise ValueError("no data cluster in " + name)


def patterned_raw(path, size, sectors):
    """A raw disk with text in the given 512-byte sectors, zeros elsewhere.
    The text never forms a probe signature (no 0x55AA, CD001, KDMV...)."""
    with open(path, "wb") as f:
        f.truncate(size)
        for s in sectors:
            line = ("djinn hostile-image corpus, sector %08d\n" % s).encode()
            f.seek(s * 512)
            f.write((line * (512 // len(line) + 1))[:512])


def build(out):
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):  # only what an earlier build wrote
        p = os.path.join(out, f)
        if os.path.isfile(p) and (f.endswith((".qcow2", ".raw")) or f == "manifest.json"):
            os.remove(p)
    c = Corpus(out)
    A, R = "accept", "reject"

    # raw sources for images with data (side files, not part of the manifest)
    raw = c.path("src-data.raw")          # 16 MiB, sparse-ish data spread out
    patterned_raw(raw, 16 * MiB, list(range(0, 64)) + list(range(4096, 4096 + 300, 3))
                  + list(range(20000, 20100)) + [32767])
    raw_small = c.path("src-small.raw")   # 4 MiB, a few sectors
    patterned_raw(raw_small, 4 * MiB, list(range(8, 24)) + [4000, 8191])

    # ===================================================================
    # VALID IMAGES
    # ===================================================================
    c.add(c.create("ok-default-64k.qcow2", 64 * MiB), A, "qemu-img create defaults (v3, 64 KiB clusters, feature name table)")
    c.add(c.create("ok-compat11-256m.qcow2", 256 * MiB, "compat=1.1"), A, "compat=1.1 explicit, 256 MiB")
    c.add(c.create("ok-zstd.qcow2", 64 * MiB, "compression_type=zstd"), A, "zstd compression type")
    c.add(c.convert(raw, "ok-zlib-compressed-data.qcow2", compress=True), A, "zlib-compressed clusters (convert -c)")
    c.add(c.convert(raw, "ok-zstd-compressed-data.qcow2", "compression_type=zstd", compress=True), A, "zstd-compressed clusters (convert -c)")
    c.add(c.create("ok-extended-l2-16k.qcow2", 64 * MiB, "extended_l2=on,cluster_size=16k"), A, "extended L2, 16 KiB clusters")
    c.add(c.create("ok-extended-l2-64k.qcow2", 64 * MiB, "extended_l2=on"), A, "extended L2, 64 KiB clusters")
    c.add(c.create("ok-extended-l2-2m.qcow2", 16 * MiB, "extended_l2=on,cluster_size=2M"), A, "extended L2, 2 MiB clusters (64 KiB subclusters)")
    c.add(c.convert(raw, "ok-extended-l2-32k-data.qcow2", "extended_l2=on,cluster_size=32k"), A, "extended L2, 32 KiB clusters, data")
    for cs in ("512", "1k", "2k", "4k", "8k", "16k", "32k", "128k", "256k", "2M"):
        c.add(c.create("ok-cluster-%s.qcow2" % cs, 64 * MiB, "cluster_size=" + cs), A, "cluster size %s" % cs)
    c.add(c.create("ok-cluster-512-256m.qcow2", 256 * MiB, "cluster_size=512"), A, "512 B clusters, 256 MiB (L1 spans clusters)")
    c.add(c.convert(raw, "ok-cluster-512-data.qcow2", "cluster_size=512"), A, "512 B clusters with data")
    c.add(c.convert(raw, "ok-cluster-4k-data.qcow2", "cluster_size=4k"), A, "4 KiB clusters with data")
    c.add(c.create("ok-lazy-refcounts.qcow2", 64 * MiB, "lazy_refcounts=on"), A, "lazy_refcounts (compatible bit 0)")
    for bits in (1, 2, 4, 8, 16, 32, 64):
        c.add(c.convert(raw_small, "ok-refcount-bits-%d.qcow2" % bits, "refcount_bits=%d" % bits), A, "refcount_bits=%d with data" % bits)
    c.add(c.convert(raw, "ok-data-64k.qcow2"), A, "64 KiB clusters with data (convert from raw)")
    c.add(c.convert(raw, "ok-data-zstd-512-compressed.qcow2", "cluster_size=512,compression_type=zstd", compress=True), A, "zstd-compressed 512 B clusters")

    b = c.create("ok-bitmap.qcow2", 64 * MiB)
    c.qemu("bitmap", "--add", b, "bm0")
    c.add(b, A, "one persistent dirty bitmap")
    b = c.convert(raw, "ok-bitmaps-data.qcow2")
    c.qemu("bitmap", "--add", "-g", "128k", b, "bm0")
    c.qemu("bitmap", "--add", "--disable", b, "bm1")
    c.qemu("bitmap", "--add", b, "bm2")
    c.add(b, A, "three bitmaps (one disabled, custom granularity), data")
    b = c.create("ok-bitmap-512.qcow2", 16 * MiB, "cluster_size=512")
    c.qemu("bitmap", "--add", b, "bm0")
    c.add(b, A, "bitmap on 512 B clusters")

    s = c.create("ok-snapshot.qcow2", 64 * MiB)
    c.qemu("snapshot", "-q", "-c", "snap1", s)
    c.normalize_snapshots(s)
    c.add(s, A, "one internal snapshot")
    s = c.convert(raw, "ok-snapshots-data.qcow2")
    for n in ("base", "second", "third"):
        c.qemu("snapshot", "-q", "-c", n, s)
    c.normalize_snapshots(s)
    c.add(s, A, "three internal snapshots over data")
    s = c.create("ok-snapshot-bitmap-zstd.qcow2", 64 * MiB, "compression_type=zstd,extended_l2=on")
    c.qemu("snapshot", "-q", "-c", "s", s)
    c.qemu("bitmap", "--add", s, "b")
    c.normalize_snapshots(s)
    c.add(s, A, "snapshot + bitmap + zstd + extended L2")

    c.add(c.create("ok-prealloc-metadata.qcow2", 1 * MiB, "preallocation=metadata"), A, "preallocation=metadata")
    c.add(c.create("ok-prealloc-metadata-512.qcow2", 1 * MiB, "preallocation=metadata,cluster_size=512"), A, "preallocation=metadata, 512 B clusters")
    c.add(c.create("ok-size-2tib.qcow2", 2 * TiB), A, "virtual size exactly 2 TiB (the limit)")
    c.add(c.create("ok-size-unaligned.qcow2", 16 * MiB + 512), A, "virtual size not a multiple of the cluster size")

    r = c.create("ok-resized.qcow2", 16 * MiB, "cluster_size=512")
    c.qemu("resize", "-q", r, "200M")
    c.add(r, A, "qemu-img resize (L1 table moved and grown)")
    r = c.create("ok-amended-from-v2.qcow2", 16 * MiB, "compat=0.10")
    c.qemu("amend", "-q", "-o", "compat=1.1", r)
    c.add(r, A, "v2 image amended to compat=1.1")
    r = c.create("ok-amended-refcount-bits.qcow2", 16 * MiB)
    c.qemu("amend", "-q", "-o", "refcount_bits=64", r)
    c.add(r, A, "refcount_bits amended 16 -> 64")
    base = c.create("ok-backing-base.qcow2", 16 * MiB)
    c.add(base, A, "plain image (also the backing file of reject-backing-file-real)")
    r = c.create("ok-rebased-standalone.qcow2", 16 * MiB, extra=("-b", base, "-F", "qcow2"))
    c.qemu("rebase", "-q", "-u", "-b", "", r)
    c.add(r, A, "had a backing file, unsafe-rebased to none")
    c.add(c.convert("ok-snapshots-data.qcow2", "ok-converted-from-qcow2.qcow2", src_fmt="qcow2"), A, "qcow2 -> qcow2 convert")

    n = c.copy("ok-default-64k.qcow2", "ok-unknown-compat-bit.qcow2")
    c.patch(n, COMPAT, "Q", 1 << 5)
    c.add(n, A, "unknown compatible feature bit 5 (QEMU ignores)")
    n = c.copy("ok-default-64k.qcow2", "ok-unknown-compat-bit63.qcow2")
    c.patch(n, COMPAT, "Q", (1 << 63) | 1)
    c.add(n, A, "unknown compatible bit 63 plus lazy refcounts")
    n = c.copy("ok-default-64k.qcow2", "ok-unknown-autoclear-bit.qcow2")
    c.patch(n, AUTOCLEAR, "Q", 1 << 7)
    c.add(n, A, "unknown autoclear bit 7 (QEMU ignores)")
    n = c.copy("ok-default-64k.qcow2", "ok-unknown-extension.qcow2")
    c.add_extension(n, 0x12345678, b"unknown extension payload")
    c.add(n, A, "unknown header extension type (QEMU ignores)")
    n = c.copy("ok-cluster-512.qcow2", "ok-unknown-extension-512.qcow2")
    c.add_extension(n, 0xDEADBEEF, b"")
    c.add(n, A, "empty unknown header extension, 512 B clusters")
    n = c.copy("ok-default-64k.qcow2", "bad-backing-format-ext-no-backing.qcow2")
    c.add_extension(n, EXT_BACKING_FORMAT, b"qcow2")
    # QEMU ignores it; the registry refuses every backing reference.
    c.add(n, R, "backing-format extension but no backing file", "backing")
    n = c.copy("ok-default-64k.qcow2", "ok-header-length-104.qcow2")
    exts = c.ext_payloads(n)
    c.patch(n, HDR_LEN, "I", 104)
    c.set_extensions(n, exts, start=104)
    c.add(n, A, "header_length 104 (no compression-type byte), extensions at 104")
    n = c.copy("ok-default-64k.qcow2", "ok-header-length-120.qcow2")
    exts = c.ext_payloads(n)
    c.patch(n, HDR_LEN, "I", 120)
    c.set_extensions(n, exts, start=120)
    c.add(n, A, "header_length 120 (zero unknown header field)")
    n = c.copy("ok-default-64k.qcow2", "ok-no-feature-table.qcow2")
    c.set_extensions(n, [])
    c.add(n, A, "no header extensions at all, only the end marker")
    n = c.copy("ok-bitmap.qcow2", "ok-bitmaps-autoclear-cleared.qcow2")
    c.patch(n, AUTOCLEAR, "Q", 0)
    c.add(n, A, "bitmaps extension with autoclear bit cleared (bitmaps just stale)")

    # ===================================================================
    # HOSTILE IMAGES
    # ===================================================================
    def hostile(src, name, reason, patches=(), message=None):
        n = c.copy(src, name)
        for off, fmt, *vals in patches:
            c.patch(n, off, fmt, *vals)
        c.add(n, R, reason, message)
        return n

    D = "ok-default-64k.qcow2"
    DD = "ok-refcount-bits-16.qcow2"  # 64 KiB clusters, 3 data clusters

    # --- magic and version
    hostile(D, "bad-magic.qcow2", "wrong magic QFI\\xfa", [(MAGIC, "I", 0x514649FA)], "magic")
    hostile(D, "bad-magic-zero.qcow2", "zero magic", [(MAGIC, "I", 0)], "magic")
    c.add(c.create("bad-v2-compat010.qcow2", 16 * MiB, "compat=0.10"), R, "version 2 (compat=0.10), v3 required", "version")
    hostile(D, "bad-version-2-patched.qcow2", "v3 header with version field 2", [(VERSION, "I", 2)], "version")
    hostile(D, "bad-version-1.qcow2", "version 1", [(VERSION, "I", 1)], "version")
    hostile(D, "bad-version-4.qcow2", "version 4", [(VERSION, "I", 4)], "version")
    hostile(D, "bad-version-0.qcow2", "version 0", [(VERSION, "I", 0)], "version")
    hostile(D, "bad-version-ffffffff.qcow2", "version 0xffffffff", [(VERSION, "I", 0xFFFFFFFF)], "version")

    # --- header length
    hostile(D, "bad-header-length-72.qcow2", "v3 header_length 72", [(HDR_LEN, "I", 72)], "header length")
    hostile(D, "bad-header-length-100.qcow2", "header_length 100 < 104", [(HDR_LEN, "I", 100)], "header length")
    hostile(D, "bad-header-length-0.qcow2", "header_length 0", [(HDR_LEN, "I", 0)], "header length")
    hostile(D, "bad-header-length-108.qcow2", "header_length 108 not a multiple of 8", [(HDR_LEN, "I", 108)], "header length")
    hostile(D, "bad-header-length-113.qcow2", "header_length 113 not a multiple of 8", [(HDR_LEN, "I", 113)], "header length")
    hostile(D, "bad-header-length-past-cluster.qcow2", "header_length 0x10008 > cluster size", [(HDR_LEN, "I", 0x10008)], "header length")
    hostile(D, "bad-header-length-ffffffff.qcow2", "header_length 0xffffffff", [(HDR_LEN, "I", 0xFFFFFFFF)], "header length")
    hostile("ok-cluster-512.qcow2", "bad-header-length-520-cluster-512.qcow2", "header_length 520 > 512 B cluster", [(HDR_LEN, "I", 520)], "header length")

    # --- cluster bits
    for bits in (8, 22, 0, 63, 0xFFFFFFFF):
        hostile(D, "bad-cluster-bits-%d.qcow2" % bits, "cluster_bits %d" % bits, [(CLUSTER_BITS, "I", bits)], "cluster")

    # --- refcount order
    hostile(D, "bad-refcount-order-7.qcow2", "refcount_order 7 (128-bit refcounts)", [(REFCOUNT_ORDER, "I", 7)], "refcount")
    hostile(D, "bad-refcount-order-ffffffff.qcow2", "refcount_order 0xffffffff", [(REFCOUNT_ORDER, "I", 0xFFFFFFFF)], "refcount")

    # --- compression type
    hostile(D, "bad-compression-type-2.qcow2", "compression type 2 with the compression bit", [(COMP_TYPE, "B", 2), (INCOMPAT, "Q", 8)], "compression")
    hostile(D, "bad-compression-type-2-nobit.qcow2", "compression type 2 without the compression bit", [(COMP_TYPE, "B", 2)], "compression")
    hostile(D, "bad-compression-type-ff.qcow2", "compression type 0xff", [(COMP_TYPE, "B", 0xFF), (INCOMPAT, "Q", 8)], "compression")
    hostile("ok-zstd.qcow2", "bad-zstd-without-incompat-bit.qcow2", "zstd compression type but incompatible bit 3 cleared", [(INCOMPAT, "Q", 0)], "compression")
    hostile(D, "bad-compression-bit-with-zlib.qcow2", "incompatible compression bit set, type zlib", [(INCOMPAT, "Q", 8)], "compression")

    # --- incompatible / autoclear bits
    hostile(D, "bad-dirty.qcow2", "incompatible dirty bit", [(INCOMPAT, "Q", 1)], "dirty")
    hostile("ok-lazy-refcounts.qcow2", "bad-dirty-lazy-refcounts.qcow2", "dirty bit with lazy refcounts (needs repair)", [(INCOMPAT, "Q", 1)], "dirty")
    hostile(D, "bad-corrupt.qcow2", "incompatible corrupt bit", [(INCOMPAT, "Q", 2)], "corrupt")
    hostile(D, "bad-external-data-bit.qcow2", "external data file bit, no data file", [(INCOMPAT, "Q", 4)], "data file")
    hostile("ok-cluster-512.qcow2", "bad-extended-l2-cluster-512.qcow2", "extended-L2 bit with 512 B clusters", [(INCOMPAT, "Q", 16)], "extended l2")
    hostile("ok-cluster-8k.qcow2", "bad-extended-l2-cluster-8k.qcow2", "extended-L2 bit with 8 KiB clusters", [(INCOMPAT, "Q", 16)], "extended l2")
    hostile(D, "bad-incompat-unknown-bit5.qcow2", "unknown incompatible bit 5", [(INCOMPAT, "Q", 1 << 5)])
    hostile(D, "bad-incompat-unknown-bit63.qcow2", "unknown incompatible bit 63", [(INCOMPAT, "Q", 1 << 63)])
    hostile(D, "bad-incompat-all-bits.qcow2", "every incompatible bit set", [(INCOMPAT, "Q", (1 << 64) - 1)])
    hostile(D, "bad-autoclear-raw-data.qcow2", "autoclear data-file-raw bit without a data file", [(AUTOCLEAR, "Q", 2)], "data file")

    # --- external data file
    c.add(c.create("bad-data-file-real.qcow2", 1 * MiB, "data_file=bad-data-file-real.raw"), R, "real external data file (qemu-img -o data_file)", "data file")
    c.add(c.create("bad-data-file-raw-real.qcow2", 1 * MiB, "data_file=bad-data-file-raw-real.raw,data_file_raw=on"), R, "real external data file with data_file_raw", "data file")
    n = c.copy(D, "bad-data-file-extension.qcow2")
    c.add_extension(n, EXT_DATA_FILE, b"/etc/passwd")
    c.add(n, R, "data-file name extension 0x44415441 without the bit", "data file")
    n = c.copy(D, "bad-data-file-extension-and-bit.qcow2")
    c.add_extension(n, EXT_DATA_FILE, b"/dev/sda")
    c.patch(n, INCOMPAT, "Q", 4)
    c.add(n, R, "data-file extension naming /dev/sda with the bit", "data file")

    # --- backing files
    c.add(c.create("bad-backing-file-real.qcow2", 16 * MiB, extra=("-b", "ok-backing-base.qcow2", "-F", "qcow2")), R, "real backing file (qemu-img -b)", "backing")
    c.add(c.create("bad-backing-etc-passwd-raw.qcow2", 16 * MiB, extra=("-b", "/etc/passwd", "-F", "raw")), R, "backing file /etc/passwd as raw (host file read)", "backing")
    bo = c.field("bad-backing-file-real.qcow2", BACKING_OFF, "Q")
    hostile("bad-backing-file-real.qcow2", "bad-backing-name-too-long.qcow2", "backing_file_size 1024 > 1023", [(BACKING_SIZE, "I", 1024)], "backing")
    hostile("bad-backing-file-real.qcow2", "bad-backing-name-size-ffffffff.qcow2", "backing_file_size 0xffffffff", [(BACKING_SIZE, "I", 0xFFFFFFFF)], "backing")
    hostile("bad-backing-file-real.qcow2", "bad-backing-offset-past-cluster.qcow2", "backing_file_offset past the first cluster", [(BACKING_OFF, "Q", 0x10000 + bo)], "backing")
    hostile("bad-backing-file-real.qcow2", "bad-backing-offset-near-2-64.qcow2", "backing_file_offset 0xfffffffffffffff0", [(BACKING_OFF, "Q", 0xFFFFFFFFFFFFFFF0)], "backing")
    hostile(D, "bad-backing-offset-zero-size.qcow2", "backing_file_offset set, size 0", [(BACKING_OFF, "Q", 0x200)])

    # --- encryption
    c.add(c.create("bad-encrypt-aes-real.qcow2", 16 * MiB, "encrypt.format=aes,encrypt.key-secret=s0",
                   ("--object", "secret,id=s0,data=corpus")), R, "real AES-encrypted image (crypt_method 1)", "encrypt")
    # qemu-img benchmarks PBKDF2 with the thread's CPU clock, which sometimes
    # fails on a loaded machine ("Unable to get accurate CPU usage"): retry.
    for attempt in range(4):
        try:
            c.create("bad-encrypt-luks-real.qcow2", 16 * MiB, "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=500",
                     ("--object", "secret,id=s0,data=corpus"))
            break
        except subprocess.CalledProcessError:
            if attempt == 3:
                raise
    c.add("bad-encrypt-luks-real.qcow2", R, "real LUKS-encrypted image (crypt_method 2 + crypto extension)", "encrypt")
    hostile(D, "bad-crypt-method-1.qcow2", "crypt_method 1 (AES) patched", [(CRYPT, "I", 1)], "encrypt")
    hostile(D, "bad-crypt-method-2.qcow2", "crypt_method 2 (LUKS) without crypto header", [(CRYPT, "I", 2)], "encrypt")
    hostile(D, "bad-crypt-method-3.qcow2", "crypt_method 3 (unknown)", [(CRYPT, "I", 3)], "encrypt")
    n = c.copy(D, "bad-crypto-extension-no-encryption.qcow2")
    c.add_extension(n, EXT_CRYPTO, struct.pack(">QQ", 0x30000, 0x10000))
    c.add(n, R, "full-disk-encryption header extension 0x0537be77, crypt_method 0", "encrypt")

    # --- L1 table
    l1 = c.field(D, L1_OFF, "Q")
    rt = c.field(D, RT_OFF, "Q")
    hostile(D, "bad-l1-offset-zero.qcow2", "L1 table at offset 0 (the header)", [(L1_OFF, "Q", 0)], "l1")
    hostile("ok-cluster-512-256m.qcow2", "bad-l1-offset-zero-512.qcow2", "L1 at 0 spanning header and tables, 512 B clusters", [(L1_OFF, "Q", 0)], "l1")
    hostile(D, "bad-l1-offset-unaligned.qcow2", "L1 table offset not cluster-aligned", [(L1_OFF, "Q", l1 + 512)], "l1")
    hostile(D, "bad-l1-overlaps-refcount-table.qcow2", "L1 table at the refcount table's offset", [(L1_OFF, "Q", rt)], "l1")
    hostile(D, "bad-l1-past-eof.qcow2", "L1 table past the end of the file", [(L1_OFF, "Q", 256 * MiB)], "l1")
    hostile(D, "bad-l1-near-2-64.qcow2", "L1 offset 0xffffffffffff0000 (overflow)", [(L1_OFF, "Q", 0xFFFFFFFFFFFF0000)], "l1")
    hostile("ok-cluster-4k.qcow2", "bad-l1-near-2-64-4k.qcow2", "L1 offset 0xfffffffffffff000, 4 KiB clusters", [(L1_OFF, "Q", 0xFFFFFFFFFFFFF000)], "l1")
    hostile(D, "bad-l1-int64-max-edge.qcow2", "L1 offset 0x7fffffffffff0000 (offset+size > INT64_MAX)", [(L1_OFF, "Q", 0x7FFFFFFFFFFF0000)], "l1")
    hostile(D, "bad-l1-offset-2-63.qcow2", "L1 offset 2^63", [(L1_OFF, "Q", 1 << 63)], "l1")
    hostile("ok-cluster-512-256m.qcow2", "bad-l1-size-too-small.qcow2", "l1_size 100, virtual size needs 8192", [(L1_SIZE, "I", 100)], "l1")
    hostile(D, "bad-l1-size-zero.qcow2", "l1_size 0 for a 64 MiB disk", [(L1_SIZE, "I", 0)], "l1")
    hostile(D, "bad-l1-size-7fffffff.qcow2", "l1_size 0x7fffffff", [(L1_SIZE, "I", 0x7FFFFFFF)], "l1")
    hostile(D, "bad-l1-size-ffffffff.qcow2", "l1_size 0xffffffff", [(L1_SIZE, "I", 0xFFFFFFFF)], "l1")
    hostile(D, "bad-l1-size-huge-near-2-64.qcow2", "l1_size 0x7fffffff and L1 offset near 2^64", [(L1_SIZE, "I", 0x7FFFFFFF), (L1_OFF, "Q", 0xFFFFFFFFFFFF0000)], "l1")

    # --- refcount table
    hostile(D, "bad-refcount-table-zero.qcow2", "refcount table at offset 0", [(RT_OFF, "Q", 0)], "refcount")
    hostile(D, "bad-refcount-table-unaligned.qcow2", "refcount table offset not cluster-aligned", [(RT_OFF, "Q", rt + 8)], "refcount")
    hostile(D, "bad-refcount-table-near-2-64.qcow2", "refcount table offset 0xffffffffffff0000 (the crash)", [(RT_OFF, "Q", 0xFFFFFFFFFFFF0000)], "refcount")
    hostile("ok-cluster-4k.qcow2", "bad-refcount-table-fffffffffffff000.qcow2", "refcount table offset 0xfffffffffffff000, 4 KiB clusters", [(RT_OFF, "Q", 0xFFFFFFFFFFFFF000)], "refcount")
    hostile(D, "bad-refcount-table-int64-max-edge.qcow2", "refcount table offset 0x7fffffffffff0000", [(RT_OFF, "Q", 0x7FFFFFFFFFFF0000)], "refcount")
    hostile(D, "bad-refcount-and-l1-near-2-64.qcow2", "refcount table and L1 both near 2^64", [(RT_OFF, "Q", 0xFFFFFFFFFFFF0000), (L1_OFF, "Q", 0xFFFFFFFFFFFE0000)], "beyond any possible file size")
    hostile(D, "bad-refcount-near-2-64-huge-clusters.qcow2", "refcount table near 2^64 with 0xffffffff clusters", [(RT_OFF, "Q", 0xFFFFFFFFFFFF0000), (RT_CLUSTERS, "I", 0xFFFFFFFF)], "refcount")
    hostile(D, "bad-refcount-table-clusters-0.qcow2", "refcount_table_clusters 0", [(RT_CLUSTERS, "I", 0)], "refcount")
    hostile(D, "bad-refcount-table-clusters-ffffffff.qcow2", "refcount_table_clusters 0xffffffff", [(RT_CLUSTERS, "I", 0xFFFFFFFF)], "refcount")
    hostile(D, "bad-refcount-table-clusters-past-eof.qcow2", "refcount table 128 clusters, past EOF and over the L1", [(RT_CLUSTERS, "I", 128)], "refcount")
    hostile(D, "bad-refcount-table-overlaps-everything.qcow2", "refcount table at 0 covering header, tables", [(RT_OFF, "Q", 0), (RT_CLUSTERS, "I", 4)], "refcount")
    hostile(D, "bad-refcount-table-overlaps-l1.qcow2", "refcount table at the L1 table's offset", [(RT_OFF, "Q", l1)], "refcount")
    hostile(D, "bad-refcount-table-past-eof.qcow2", "refcount table past the end of the file", [(RT_OFF, "Q", 256 * MiB)], "refcount")

    # --- snapshot table
    S = "ok-snapshot.qcow2"
    so = c.field(S, SNAP_OFF, "Q")
    hostile(D, "bad-snapshots-offset-zero.qcow2", "nb_snapshots 1, snapshot table at offset 0", [(NB_SNAP, "I", 1), (SNAP_OFF, "Q", 0)], "snapshot")
    hostile(S, "bad-snapshots-offset-zero-real.qcow2", "real snapshot, table offset patched to 0", [(SNAP_OFF, "Q", 0)], "snapshot")
    hostile(S, "bad-snapshots-unaligned.qcow2", "snapshot table offset not cluster-aligned", [(SNAP_OFF, "Q", so + 8)], "snapshot")
    hostile(S, "bad-snapshots-past-eof.qcow2", "snapshot table past the end of the file", [(SNAP_OFF, "Q", 256 * MiB)], "snapshot")
    hostile(S, "bad-snapshots-near-2-64.qcow2", "snapshot table offset 0xffffffffffff0000", [(SNAP_OFF, "Q", 0xFFFFFFFFFFFF0000)], "snapshot")
    hostile(S, "bad-snapshots-int64-max-edge.qcow2", "snapshot offset 0x7fffffffffff0000", [(SNAP_OFF, "Q", 0x7FFFFFFFFFFF0000)], "snapshot")
    hostile(S, "bad-snapshots-count-65535.qcow2", "nb_snapshots 65535 (table runs past EOF)", [(NB_SNAP, "I", 65535)], "snapshot")
    hostile(S, "bad-snapshots-count-65537.qcow2", "nb_snapshots 65537 > 65536", [(NB_SNAP, "I", 65537)], "snapshot")
    hostile(S, "bad-snapshots-count-ffffffff.qcow2", "nb_snapshots 0xffffffff", [(NB_SNAP, "I", 0xFFFFFFFF)], "snapshot")
    hostile(D, "bad-all-tables-near-2-64.qcow2", "L1, refcount and snapshot tables all near 2^64",
            [(L1_OFF, "Q", 0xFFFFFFFFFFFF0000), (RT_OFF, "Q", 0xFFFFFFFFFFFE0000), (NB_SNAP, "I", 1), (SNAP_OFF, "Q", 0xFFFFFFFFFFFD0000)])
    sl1 = c.field(S, so, "Q")
    hostile(S, "bad-snapshot-l1-unaligned.qcow2", "snapshot's own L1 offset not aligned", [(so, "Q", sl1 + 8)], "snapshot")
    hostile(S, "bad-snapshot-l1-past-eof.qcow2", "snapshot's own L1 table past EOF", [(so, "Q", 256 * MiB)], "corrupt")

    # --- virtual size
    hostile(D, "bad-size-zero.qcow2", "virtual size 0", [(SIZE, "Q", 0)], "size")
    hostile(D, "bad-size-2-63.qcow2", "virtual size 2^63", [(SIZE, "Q", 1 << 63)], "size")
    hostile(D, "bad-size-2-64-minus-1.qcow2", "virtual size 2^64-1", [(SIZE, "Q", (1 << 64) - 1)], "size")
    c.add(c.create("bad-size-over-2tib.qcow2", 2 * TiB + 64 * 1024), R, "real image of 2 TiB + 64 KiB (over the limit)", "size")
    c.add(c.create("bad-size-3tib.qcow2", 3 * TiB), R, "real image of 3 TiB", "size")

    # --- header extensions
    fo, fl = c.find_ext(D, EXT_FEATURE_TABLE)
    hostile(D, "bad-ext-length-past-cluster.qcow2", "feature table length runs past the cluster", [(fo + 4, "I", 0x10000)], "extension")
    hostile(D, "bad-ext-length-ffffffff.qcow2", "extension length 0xffffffff", [(fo + 4, "I", 0xFFFFFFFF)], "extension")
    hostile(D, "bad-ext-length-fffffff8.qcow2", "extension length 0xfffffff8 (wraps when padded)", [(fo + 4, "I", 0xFFFFFFF8)], "extension")
    n = c.copy(D, "bad-ext-no-end-marker.qcow2")
    c.set_extensions(n, [(0x12345678, b"\0" * (0x10000 - 112 - 8))], end_marker=False)
    c.add(n, R, "extensions fill the cluster, no end-of-extensions marker", "extension")
    n = c.copy("ok-cluster-512.qcow2", "bad-ext-no-end-marker-512.qcow2")
    c.set_extensions(n, [(EXT_FEATURE_TABLE, b"\0" * 48), (0x12345678, b"\0" * (512 - 112 - 56 - 8))], end_marker=False)
    c.add(n, R, "no end marker in a 512 B cluster", "extension")
    n = c.copy(D, "bad-ext-backing-format-too-long.qcow2")
    c.add_extension(n, EXT_BACKING_FORMAT, b"q" * 40)
    c.add(n, R, "backing-format extension longer than QEMU's buffer", "extension")

    # --- bitmaps extension
    B = "ok-bitmap.qcow2"
    bo_, bl = c.find_ext(B, EXT_BITMAPS)
    nbm, res, dsize, doff = struct.unpack(">IIQQ", c.read(B, bo_ + 8, 24))
    hostile(B, "bad-bitmaps-count-zero.qcow2", "bitmaps extension with nb_bitmaps 0", [(bo_ + 8, "I", 0)], "bitmap")
    hostile(B, "bad-bitmaps-reserved.qcow2", "bitmaps extension reserved field non-zero", [(bo_ + 12, "I", 1)], "bitmap")
    hostile(B, "bad-bitmaps-dir-unaligned.qcow2", "bitmap directory offset unaligned", [(bo_ + 24, "Q", doff + 8)], "bitmap")
    hostile(B, "bad-bitmaps-dir-past-eof.qcow2", "bitmap directory past EOF", [(bo_ + 24, "Q", 256 * MiB)], "bitmap")
    hostile(B, "bad-bitmaps-dir-near-2-64.qcow2", "bitmap directory offset 0xffffffffffff0000", [(bo_ + 24, "Q", 0xFFFFFFFFFFFF0000)], "bitmap")
    hostile(B, "bad-bitmaps-dir-size-huge.qcow2", "bitmap directory size 0xffffffffffffffff", [(bo_ + 16, "Q", (1 << 64) - 1)], "bitmap")
    hostile(B, "bad-bitmaps-count-huge.qcow2", "nb_bitmaps 0xffffffff", [(bo_ + 8, "I", 0xFFFFFFFF)], "bitmap")
    hostile(B, "bad-bitmaps-ext-length.qcow2", "bitmaps extension length 16 instead of 24", [(bo_ + 4, "I", 16)], "bitmap")

    # --- truncation
    for name, length, why in (
        ("bad-truncated-0.qcow2", 0, "empty file"),
        ("bad-truncated-4.qcow2", 4, "only the magic"),
        ("bad-truncated-50.qcow2", 50, "cut inside the header"),
        ("bad-truncated-104.qcow2", 104, "cut after the fixed header"),
        ("bad-truncated-after-header-cluster.qcow2", 0x10000, "cut right after the header cluster"),
    ):
        n = c.copy(D, name)
        c.truncate(n, length)
        c.add(n, R, "truncated: " + why, "truncated" if length == 50 else None)
    n = c.copy(DD, "bad-truncated-after-tables.qcow2")
    first_data = c.first_data_entry(DD)[1] & OFFSET_MASK
    c.truncate(n, first_data)
    c.add(n, R, "truncated after the tables, before the data")
    n = c.copy(DD, "bad-truncated-mid-data.qcow2")
    c.truncate(n, (c.size(DD) // 2) & ~0xFFFF)
    c.add(n, R, "truncated in the middle of the data clusters")
    n = c.copy("ok-cluster-512-data.qcow2", "bad-truncated-mid-data-512.qcow2")
    c.truncate(n, c.size(n) - 8 * 512)
    c.add(n, R, "512 B clusters, last 8 data clusters cut")

    n = c.copy(DD, "bad-gzip-body.qcow2")
    data = c.read(DD, 0, c.size(DD))
    with open(c.path(n), "wb") as f:
        f.write(data[:0x10000] + gzip.compress(data[0x10000:], mtime=0))
    c.add(n, R, "valid first cluster followed by a gzip body")

    # --- table entries
    l2e_off, l2e = c.first_data_entry(DD)
    hostile(DD, "bad-l2-entry-past-eof.qcow2", "L2 entry points past EOF", [(l2e_off, "Q", (l2e & ~OFFSET_MASK) | (4 * GiB))])
    hostile(DD, "bad-l2-entry-unaligned.qcow2", "L2 entry not cluster-aligned", [(l2e_off, "Q", l2e + 0x200)])
    # (an L2 entry with offset 0 means "unallocated" to QEMU, so point at metadata instead)
    hostile(DD, "bad-l2-entry-refcount-table.qcow2", "L2 entry points at the refcount table cluster",
            [(l2e_off, "Q", (l2e & ~OFFSET_MASK) | c.field(DD, RT_OFF, "Q"))])
    hostile(DD, "bad-l2-entry-l1-table.qcow2", "L2 entry points at the L1 table cluster",
            [(l2e_off, "Q", (l2e & ~OFFSET_MASK) | c.field(DD, L1_OFF, "Q"))])
    hostile(DD, "bad-l2-entry-near-2-64.qcow2", "L2 entry offset bits all set", [(l2e_off, "Q", (l2e & ~OFFSET_MASK) | (OFFSET_MASK & ~0xFFFF))])
    l1e_off, l2_tab = c.first_l2(DD)
    hostile(DD, "bad-l1-entry-past-eof.qcow2", "L1 entry points past EOF", [(l1e_off, "Q", (1 << 63) | (4 * GiB))])
    hostile(DD, "bad-l1-entry-unaligned.qcow2", "L1 entry not cluster-aligned", [(l1e_off, "Q", (1 << 63) | (l2_tab + 0x200))])
    rt_dd = c.field(DD, RT_OFF, "Q")
    rb0 = c.field(DD, rt_dd, "Q")
    hostile(DD, "bad-refcount-entry-past-eof.qcow2", "refcount table entry points past EOF", [(rt_dd, "Q", 4 * GiB)])
    hostile(DD, "bad-refcount-entry-unaligned.qcow2", "refcount block offset unaligned", [(rt_dd, "Q", rb0 + 8)])
    hostile(DD, "bad-refcount-block-zeroed.qcow2", "refcount of the header cluster is 0", [(rb0, "H", 0)])
    hostile(DD, "bad-refcount-entry-zero.qcow2", "refcount table entry 0 while clusters are in use", [(rt_dd, "Q", 0)])

    # --- polyglots (QEMU accepts all those that keep the QCOW2 magic)
    def poly(name, reason, writes, src=D, message="polyglot"):
        n = c.copy(src, name)
        for off, data in writes:
            if off < 0:
                off += c.size(n)
            c.write(n, off, data)
        c.add(n, R, reason, message)
    poly("poly-iso9660.qcow2", "ISO 9660 primary volume descriptor (type 1 at 0x8000, CD001 at 0x8001)", [(0x8000, b"\x01CD001\x01")])
    poly("poly-udf-nsr02.qcow2", "UDF NSR02 descriptor at 0x8001", [(0x8000, b"\x00NSR02\x01")])
    poly("poly-udf-nsr03.qcow2", "UDF NSR03 descriptor at 0x8001", [(0x8000, b"\x00NSR03\x01")])
    pte = struct.pack("<B3BB3BII", 0x80, 0, 2, 0, 0x83, 0xFE, 0xFF, 0xFF, 2048, 32768)
    poly("poly-mbr.qcow2", "MBR partition table with 0x55AA at 510 of the first sector", [(446, pte), (510, b"\x55\xaa")])
    poly("poly-mbr-signature-only.qcow2", "bare 0x55AA boot signature at 510", [(510, b"\x55\xaa")])
    pmbr = struct.pack("<B3BB3BII", 0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF, 1, 32767)
    poly("poly-gpt.qcow2", "protective MBR + GPT header 'EFI PART' at 512",
         [(446, pmbr), (510, b"\x55\xaa"), (512, b"EFI PART\x00\x00\x01\x00\x5c\x00\x00\x00")])
    # the next two go beyond oslo's probes (it checks VHD at 0 and GPT only via the MBR)
    poly("poly-gpt-header-only.qcow2", "GPT header 'EFI PART' at 512 without the MBR signature", [(512, b"EFI PART\x00\x00\x01\x00\x5c\x00\x00\x00")])
    poly("poly-vdi-magic-0x40.qcow2", "VDI signature 0xbeda107f (LE) at 0x40 = snapshots_offset, nb_snapshots 0",
         [(0x40, struct.pack("<I", 0xBEDA107F))])
    poly("poly-vhd-footer.qcow2", "VHD 'conectix' footer in the last 512 bytes",
         [(-512, b"conectix" + struct.pack(">II", 2, 0x10000))])
    # formats whose magic sits at offset 0 cannot share the file with QFI\xfb:
    # these are QCOW2 images with another format's signature written over the start
    poly("poly-vdi-text.qcow2", "'<<< Oracle VM VirtualBox Disk Image >>>' text at 0",
         [(0, b"<<< Oracle VM VirtualBox Disk Image >>>\n\0"), (0x40, struct.pack("<I", 0xBEDA107F))], message="magic")
    poly("poly-vmdk-kdmv.qcow2", "VMDK sparse 'KDMV' header at 0 + descriptor at 0x200",
         [(0, b"KDMV" + struct.pack("<IIQQQQ", 1, 3, 32768, 128, 1, 20)),
          (0x200, b'# Disk DescriptorFile\nversion=1\ncreateType="monolithicSparse"\n')], message="magic")
    poly("poly-vmdk-descriptor.qcow2", "VMDK text descriptor '# Disk DescriptorFile' at 0",
         [(0, b'# Disk DescriptorFile\nversion=1\nCID=fffffffe\ncreateType="monolithicFlat"\nRW 32768 FLAT "/etc/passwd" 0\n\0')], message="magic")
    poly("poly-vhd-conectix.qcow2", "VHD 'conectix' at 0", [(0, b"conectix")], message="magic")
    poly("poly-vhdx.qcow2", "VHDX 'vhdxfile' at 0", [(0, b"vhdxfile")], message="magic")
    poly("poly-luks.qcow2", "LUKS 'LUKS\\xba\\xbe' at 0", [(0, b"LUKS\xba\xbe\x00\x01")], message="magic")
    poly("poly-qed.qcow2", "QED magic at 0", [(0, b"QED\x00")], message="magic")

    # side files only needed while building
    for f in ("src-data.raw", "src-small.raw"):
        os.remove(c.path(f))

    with open(c.path("manifest.json"), "w") as f:
        json.dump(c.entries, f, indent=1)
        f.write("\n")
    acc = sum(e["expect"] == "accept" for e in c.entries)
    print("%d files: %d accept, %d reject -> %s" % (len(c.entries), acc, len(c.entries) - acc, c.path("manifest.json")))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_corpus.py OUTPUT_DIR")
    build(sys.argv[1])
