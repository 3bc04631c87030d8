"""Garbage collection of the blob store: files examined per second with
100,000 versions in the read model and their 100,000 blobs (plus 20,000
blobs no version names) on disk, against `find` walking and stat-ing the
same files; and the lookup and upload rates while collections run back to
back, against the same rates without."""

import hashlib
import os
import statistics
import subprocess
import threading
import time

from .infra import psql, service_environment
from .load import wrk

VERSIONS = 100_000
ORPHANS = 20_000


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def write_blobs(root, names, age_hours):
    """Small files at the content addresses of `names`' digests, last modified `age_hours` ago."""
    past = time.time() - age_hours * 3600
    for name in names:
        hex_digest = digest(name)
        path = root / "sha256" / hex_digest[:2] / hex_digest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 64)
        os.utime(path, (past, past))


def collect(s, *arguments):
    """One `image-ingest gc` run; returns its summary line and how long it took."""
    environment = service_environment(s, "bench", "bench-events", "bench-group", s.ingest_port)
    started = time.time()
    run = subprocess.run([str(s.bin / "image-ingest"), "gc", *arguments], env=environment, check=True,
                         capture_output=True, text=True)
    return run.stdout.strip().splitlines()[-1], time.time() - started


def uploads_per_second(s, image, seconds, prefix):
    """Small uploads sent one after another for `seconds` (each a new name, the same bytes)."""
    count, started = 0, time.time()
    while time.time() - started < seconds:
        answer = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-T",
                                 str(image), "-H", f"Authorization: Bearer {s.writer}",
                                 "-H", "Content-Type: application/x-qemu-disk",
                                 f"{s.ingest}/v1/images?name={prefix}{count}"], check=True, capture_output=True,
                                text=True)
        if answer.stdout != "202":
            raise RuntimeError(f"an upload answered {answer.stdout}, not 202")
        count += 1
    return count / (time.time() - started)


def measure(s, results):
    root = s.data / "blobs"
    psql(s, "bench", f"""
        INSERT INTO images (id, source, owner, namespace_path, name, version, driver, location, sha256, size,
                            created_at, created_by, event_id)
        SELECT gen_random_uuid(), 'custom', 'gcbench', NULL, 'gc' || n, 1, 'qemu',
               'file://{root}/sha256/' || left(h, 2) || '/' || h, h, 64, now(), 'bench', gen_random_uuid()
        FROM (SELECT n, encode(sha256(convert_to('gc' || n, 'UTF8')), 'hex') AS h
              FROM generate_series(0, {VERSIONS - 1}) AS n) AS seeded;
        ANALYZE images;""")
    write_blobs(root, (f"gc{n}" for n in range(VERSIONS)), age_hours=48)
    write_blobs(root, (f"gc-orphan{n}" for n in range(ORPHANS)), age_hours=48)
    files = sum(len(names) for _, _, names in os.walk(root))

    dry_runs, walks = [], []
    for _ in range(3):
        summary, seconds = collect(s, "--dry-run")
        if f"{ORPHANS} would remove" not in summary:
            raise RuntimeError(f"the dry run did not find the {ORPHANS} unneeded blobs: {summary}")
        dry_runs.append(seconds)
        started = time.time()
        subprocess.run(["find", str(root), "-type", "f", "-printf", "%s %T@ %p\n"], check=True,
                       stdout=subprocess.DEVNULL)
        walks.append(time.time() - started)
    examined_rate = files / statistics.median(dry_runs)
    find_rate = files / statistics.median(walks)

    # Collections back to back while the load runs: the first removes the
    # unneeded blobs, the others walk everything and find nothing to do.
    stop = threading.Event()
    runs = []

    def collect_until_stopped():
        while not stop.is_set():
            runs.append(collect(s))

    lookup = f"{s.projector}/v1/resolve?driver=qemu&image=img{s.images // 2}&user=bench"
    headers = [f"Authorization: Bearer {s.reader}"]
    image = s.data / "gc-upload.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=1.1", str(image), "16M"], check=True)
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x6d 0 64k", str(image)], check=True,
                   capture_output=True)
    quiet_lookup = wrk(s, lookup, headers=headers)
    quiet_uploads = uploads_per_second(s, image, s.seconds, "gcquiet")
    collector = threading.Thread(target=collect_until_stopped)
    collector.start()
    try:
        busy_lookup = wrk(s, lookup, headers=headers)
        busy_uploads = uploads_per_second(s, image, s.seconds, "gcbusy")
    finally:
        stop.set()
        collector.join()
    removed = runs[0][0] if runs else ""
    if f"{ORPHANS} removed" not in removed:
        raise RuntimeError(f"the first collection did not remove the {ORPHANS} unneeded blobs: {removed}")
    results["figures"]["gc"] = {
        "versions": VERSIONS, "files": files, "dry_run_seconds": dry_runs, "find_seconds": walks,
        "examined_per_second": examined_rate, "find_files_per_second": find_rate,
        "collections_during_load": len(runs), "first_collection": removed,
        "lookup_without_gc": quiet_lookup, "lookup_with_gc": busy_lookup,
        "uploads_per_second_without_gc": quiet_uploads, "uploads_per_second_with_gc": busy_uploads}
    results["ratios"]["gc_examined_vs_find"] = examined_rate / find_rate
    results["ratios"]["lookup_with_gc_vs_without"] = (busy_lookup["requests_per_second"]
                                                      / quiet_lookup["requests_per_second"])
    results["ratios"]["uploads_with_gc_vs_without"] = busy_uploads / quiet_uploads
