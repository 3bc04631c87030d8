"""A 1 GiB QCOW2 upload, the whole-file check included, against copying the
same file into the blob volume with fsync."""

import re
import socket
import statistics
import subprocess
import threading
import time
from pathlib import Path


def loopback_rate(path):
    """MB/s of sending the file over a loopback TCP connection to a reader
    that discards it: what any upload to this machine is bounded by."""
    server = socket.create_server(("127.0.0.1", 0))

    def discard():
        connection, _ = server.accept()
        buffer = bytearray(1 << 20)
        while connection.recv_into(buffer):
            pass
        connection.close()
    reader = threading.Thread(target=discard)
    reader.start()
    started = time.time()
    with socket.create_connection(server.getsockname()) as connection, open(path, "rb") as source:
        connection.sendfile(source)
    reader.join()
    server.close()
    return path.stat().st_size / (time.time() - started)


def measure(s, results, ingest):
    """MB/s of a 1 GiB QCOW2 upload, the whole-file qemu-img check included, vs the machine's own limit for
    the same file: copying it into the blob volume and fsyncing it. Disk speed on a shared machine drifts
    from one second to the next, so each round measures the copy right before the upload and the ratio is
    the median of the rounds' ratios. openssl's SHA-256 rate shows the hashing limit, a bare loopback TCP
    transfer the network limit; the ingest's peak memory shows the upload streams."""
    image = s.data / "upload.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=1.1", str(image), "2G"], check=True)
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 1G", str(image)], check=True,
                   capture_output=True)
    size = image.stat().st_size
    started = time.time()
    subprocess.run(["openssl", "dgst", "-sha256", str(image)], check=True, capture_output=True)
    hash_rate = size / (time.time() - started)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            status = Path(f"/proc/{ingest.pid}/status").read_text()
            peak[0] = max(peak[0], int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024)
            time.sleep(0.02)
    sampler = threading.Thread(target=sample)
    sampler.start()
    rounds = []
    copy = s.data / "blobs" / "baseline-copy"
    copy.parent.mkdir(parents=True, exist_ok=True)
    for index in range(s.upload_rounds):
        started = time.time()
        subprocess.run(["dd", f"if={image}", f"of={copy}", "bs=1M", "conv=fsync", "status=none"], check=True)
        copy_rate = size / (time.time() - started)
        copy.unlink()
        started = time.time()
        answer = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-T",
                                 str(image), "-H", f"Authorization: Bearer {s.writer}",
                                 "-H", "Content-Type: application/x-qemu-disk",
                                 f"{s.ingest}/v1/images?name=upload{index}"], check=True, capture_output=True, text=True)
        upload_rate = size / (time.time() - started)
        if answer.stdout != "202":
            raise RuntimeError(f"the upload answered {answer.stdout}, not 202")
        rounds.append({"upload_mb_per_second": upload_rate / 1e6, "copy_fsync_mb_per_second": copy_rate / 1e6,
                       "ratio": upload_rate / copy_rate})
    done.set()
    sampler.join()
    results["figures"]["upload"] = {
        "bytes": size, "rounds": rounds,
        "mb_per_second": statistics.median(r["upload_mb_per_second"] for r in rounds),
        "copy_fsync_mb_per_second": statistics.median(r["copy_fsync_mb_per_second"] for r in rounds),
        "openssl_sha256_mb_per_second": hash_rate / 1e6,
        "loopback_tcp_mb_per_second": loopback_rate(image) / 1e6,
        "ingest_peak_rss_mib": peak[0] / 2**20}
    results["ratios"]["upload_vs_copy_fsync"] = statistics.median(r["ratio"] for r in rounds)
