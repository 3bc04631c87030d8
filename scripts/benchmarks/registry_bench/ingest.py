"""Registrations acknowledged per second against raw produce, and the seed
every other measurement starts from."""

import json
import subprocess
import tempfile
import threading
import time

import requests

from .load import registration, registration_script, wrk

BATCH_SIZE = 100


def seed(s, count):
    """Registers `count` personal images of user bench through ingest (not
    timed); returns a position the projector has reached after all of them."""
    names = [f"img{index}" for index in range(count)]
    last = {}
    lock = threading.Lock()

    def worker(start):
        session = requests.Session()
        for index in range(start, count, 16):
            answer = session.post(f"{s.ingest}/v1/images", json=registration(names[index], index),
                                  headers={"Authorization": f"Bearer {s.registrar}"}, timeout=60)
            answer.raise_for_status()
            with lock:
                last[answer.headers["Registry-Position"].split(":")[0]] = answer.headers["Registry-Position"]
    threads = [threading.Thread(target=worker, args=(start,)) for start in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    session = requests.Session()
    for position in last.values():
        session.get(f"{s.projector}/v1/images?limit=1&after={position}",
                    headers={"Authorization": f"Bearer {s.reader}"}, timeout=60).raise_for_status()
    return next(iter(last.values()))


def measure(s, results):
    """Acknowledged POST /v1/images per second vs raw librdkafka produce
    (kcat); also images per second through POST /v1/images/batch."""
    script = registration_script(s)
    ingest = wrk(s, f"{s.ingest}/v1/images", script=script)
    # Each request waits for its own acknowledgement; with many more
    # requests in flight the rate shows where the ingest's own work limits it.
    ingest["with_256_connections"] = wrk(s, f"{s.ingest}/v1/images", script=script, connections=256)
    batches = wrk(s, f"{s.ingest}/v1/images/batch", script=registration_script(s, BATCH_SIZE), connections=8)
    if batches["non_2xx"]:
        raise RuntimeError(f"{batches['non_2xx']} batch registrations failed")
    batches["images_per_second"] = batches["requests_per_second"] * BATCH_SIZE
    batches["batch_size"] = BATCH_SIZE
    payload = json.dumps(registration("x" * 12, 1))
    count = 50000
    with tempfile.NamedTemporaryFile("w", delete=False) as file:
        for index in range(count):
            file.write(f"owner{index % 64}:{payload}\n")
    started = time.time()
    subprocess.run(["kcat", "-P", "-b", s.kafka, "-t", "bench-raw", "-K:", "-X", "acks=all",
                    "-X", "enable.idempotence=true", "-l", file.name], check=True)
    raw = count / (time.time() - started)
    results["figures"]["ingest"] = ingest
    results["figures"]["raw_produce_per_second"] = raw
    results["figures"]["ingest_batch"] = batches
    results["ratios"]["ingest_vs_raw_produce"] = ingest["requests_per_second"] / raw
    results["ratios"]["ingest_batch_vs_raw_produce"] = batches["images_per_second"] / raw
