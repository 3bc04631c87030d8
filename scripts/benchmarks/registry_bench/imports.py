"""A 1 GiB QCOW2 import by download from an HTTP server on 127.0.0.1, end
to end (the request, the download, every check, the image applied), against
curl downloading the same file from the same server onto the blob volume
with fsync."""

import functools
import statistics
import subprocess
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import requests


class FileServer:
    """Python's own file server, quiet, serving one directory."""

    def __init__(self, directory):
        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *arguments):
                pass
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name):
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}"

    def stop(self):
        self.server.shutdown()


def measure(s, results):
    """MB/s of an import, from its request to its image (polling the import every 20 ms), vs curl
    fetching the same file from the same server and fsyncing it, median of the rounds' ratios."""
    directory = s.data / "served"
    directory.mkdir(parents=True, exist_ok=True)
    image = directory / "import.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=1.1", str(image), "2G"], check=True)
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x3c 0 1G", str(image)], check=True, capture_output=True)
    size = image.stat().st_size
    server = FileServer(directory)
    session = requests.Session()
    headers = {"Authorization": f"Bearer {s.writer}"}
    copy = s.data / "blobs" / "curl-copy"
    copy.parent.mkdir(parents=True, exist_ok=True)
    rounds = []
    try:
        for index in range(s.upload_rounds):
            started = time.time()
            subprocess.run(["curl", "-sS", "-o", str(copy), server.url("import.qcow2")], check=True)
            subprocess.run(["sync", str(copy)], check=True)
            curl_rate = size / (time.time() - started)
            copy.unlink()
            # Another name each round: the bytes are the same, so the image is stored once.
            started = time.time()
            answer = session.post(f"{s.ingest}/v1/imports", headers=headers, timeout=30,
                                  json={"name": f"import{index}", "download_url": server.url("import.qcow2")})
            if answer.status_code != 202:
                raise RuntimeError(f"the import answered {answer.status_code}: {answer.text}")
            path = f"{s.projector}/v1/imports/{answer.json()['id']}"
            while True:
                current = session.get(path, headers=headers, timeout=30).json()
                if current.get("status") in ("done", "failed"):
                    break
                if time.time() - started > 600:
                    raise RuntimeError(f"import {index} did not end within 10 minutes")
                time.sleep(0.02)
            import_rate = size / (time.time() - started)
            if current["status"] != "done":
                raise RuntimeError(f"import {index} failed: {current.get('error')}")
            rounds.append({"import_mb_per_second": import_rate / 1e6, "curl_fsync_mb_per_second": curl_rate / 1e6,
                           "ratio": import_rate / curl_rate})
    finally:
        server.stop()
    results["figures"]["import"] = {
        "bytes": size, "rounds": rounds,
        "mb_per_second": statistics.median(r["import_mb_per_second"] for r in rounds),
        "curl_fsync_mb_per_second": statistics.median(r["curl_fsync_mb_per_second"] for r in rounds)}
    results["ratios"]["import_vs_curl_fsync"] = statistics.median(r["ratio"] for r in rounds)
