#!/usr/bin/env python3
"""Cross-check the hostile-image corpus against QEMU alone (no registry).

Usage: check_corpus.py OUTPUT_DIR [-v]

For every manifest entry runs `qemu-img info --output=json -f qcow2` and
`qemu-img check --output=json -f qcow2` (20 s timeout each) and prints what
QEMU says. Exits non-zero when a file marked "accept" is refused by QEMU
(info fails or crashes, check fails, or check reports corruptions > 0 or
check-errors > 0): then the corpus is wrong.
A file whose check reports an image-end-offset past the end of the file counts
as refused (QEMU reads the missing clusters as zeros). Files marked "reject"
that QEMU accepts are listed: only the registry's
stricter rules (v3 only, no backing/data file/encryption, polyglots,
structure, size limit) catch those.
"""

import json
import os
import struct
import subprocess
import sys

TIMEOUT = 20


def run(args, cwd):
    try:
        p = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "timeout after %d s" % TIMEOUT
    if p.returncode < 0:  # qemu-img 7.2 segfaults on some headers
        return p.returncode, "qemu-img killed by signal %d %s" % (-p.returncode, p.stderr)
    return p.returncode, (p.stdout if p.returncode in (0, 2, 3) else p.stderr)


def qemu_verdict(path, cwd):
    """(qemu_accepts, summary)"""
    rc, out = run(["qemu-img", "info", "--output=json", "-f", "qcow2", path], cwd)
    if rc != 0:
        return False, "info: " + " ".join((out or "").split())[:160]
    try:
        info = json.loads(out)
    except ValueError:
        return False, "info: unparsable output"
    # `qemu-img check` exits 0 clean, 2 corruption, 3 leaks only, 1 failure
    rc, out = run(["qemu-img", "check", "--output=json", "-f", "qcow2", path], cwd)
    if rc is None or rc < 0 or rc == 1 or rc > 3:
        return False, "check: " + " ".join((out or "").split())[:160]
    try:
        chk = json.loads(out)
    except ValueError:
        return False, "check rc=%d: unparsable output" % rc
    errors = chk.get("check-errors", 0)
    corrupt = chk.get("corruptions", 0)
    leaks = chk.get("leaks", 0)
    summary = "v-size=%s check-errors=%d corruptions=%d leaks=%d" % (
        info.get("virtual-size"), errors, corrupt, leaks)
    # `check` reads clusters past EOF as zeros and does not count a data
    # cluster beyond the end as corruption; its image-end-offset shows it.
    # qemu-img's own output may end inside its last cluster (the L1 table is
    # often last and only l1_size * 8 bytes long), so compare whole clusters.
    size = os.path.getsize(os.path.join(cwd, path))
    cluster = info.get("cluster-size") or 512
    end = chk.get("image-end-offset", 0)
    truncated = end > (size + cluster - 1) // cluster * cluster
    if truncated:
        summary += " TRUNCATED(image-end-offset %d > file size %d)" % (end, size)
    # the whole-file check must also agree with the header on the virtual size
    with open(os.path.join(cwd, path), "rb") as f:
        head = f.read(32)
    if len(head) == 32 and head[:4] == b"QFI\xfb":
        header_size = struct.unpack(">Q", head[24:32])[0]
        if header_size != info.get("virtual-size"):
            summary += " SIZE-MISMATCH(header %d)" % header_size
            truncated = True
    if info.get("backing-filename"):
        summary += " backing=%s" % info["backing-filename"]
    spec = info.get("format-specific", {}).get("data", {})
    if spec.get("data-file"):
        summary += " data-file=%s" % spec["data-file"]
    if info.get("encrypted"):
        summary += " encrypted"
    if spec.get("compat") and spec["compat"] != "1.1":
        summary += " compat=%s" % spec["compat"]
    if spec.get("corrupt"):
        summary += " marked-corrupt"
    ok = errors == 0 and corrupt == 0 and rc in (0, 3) and not truncated
    return ok, summary


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv[1:]
    if len(args) != 1:
        sys.exit("usage: check_corpus.py OUTPUT_DIR [-v]")
    out = os.path.abspath(args[0])
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)

    wrong, stricter, refused = [], [], []
    for e in manifest:
        ok, summary = qemu_verdict(e["file"], out)
        tag = "qemu-accepts" if ok else "qemu-refuses"
        if e["expect"] == "accept" and not ok:
            wrong.append((e, summary))
            tag = "WRONG"
        elif e["expect"] == "reject" and ok:
            stricter.append((e, summary))
        elif e["expect"] == "reject":
            refused.append(e)
        if verbose or tag == "WRONG":
            print("%-13s %-7s %-48s %s" % (tag, e["expect"], e["file"], summary))

    accept = sum(e["expect"] == "accept" for e in manifest)
    print()
    print("%d files: %d accept, %d reject (%d refused by QEMU itself)"
          % (len(manifest), accept, len(manifest) - accept, len(refused)))
    print("%d reject files QEMU alone accepts (only the registry's stricter rules catch them):"
          % len(stricter))
    for e, summary in stricter:
        print("  %-48s %s  [%s]" % (e["file"], e["reason"], summary))
    if wrong:
        print()
        print("%d files marked accept are refused by QEMU: the corpus is wrong" % len(wrong))
        for e, summary in wrong:
            print("  %-48s %s" % (e["file"], summary))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
