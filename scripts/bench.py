#!/usr/bin/env python3
"""The measurements of scripts/bench (which starts PostgreSQL and the broker
and exports their ports). Each figure is compared with a baseline measured in
the same run on the same machine. Load runs only hit 127.0.0.1 and end by
themselves."""

import datetime
import hashlib
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import registry_token  # noqa: E402
DATA = Path(os.environ["BENCH_DATA"])
BIN = Path(os.environ["BENCH_BIN"])
SECRET = os.environ["IMAGE_REGISTRY_JWT_SECRET"]
PG_PORT = int(os.environ["BENCH_POSTGRES_PORT"])
KAFKA = f"127.0.0.1:{os.environ['BENCH_KAFKA_PORT']}"
INGEST = f"http://127.0.0.1:{os.environ['BENCH_INGEST_PORT']}"
PROJECTOR = f"http://127.0.0.1:{os.environ['BENCH_PROJECTOR_PORT']}"
IMAGES = int(os.environ.get("BENCH_IMAGES", "10000"))
SCALED_IMAGES = int(os.environ.get("BENCH_SCALED_IMAGES", "1000000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
REBUILD_EVENTS = int(os.environ.get("BENCH_REBUILD_EVENTS", "1000000"))
UPLOAD_ROUNDS = int(os.environ.get("BENCH_UPLOAD_ROUNDS", "5"))
CONNECTIONS = 32


def token(user, scopes):
    return registry_token.token(SECRET, user, scopes)


WRITER = token("bench", ["image:write", "image:read"])
# Registering a location the registry has not checked (s3://) is an
# administrator's act; the registration load measures that path.
REGISTRAR = token("bench", ["image:write", "image:read", "registry:admin"])
READER = token("bench", ["image:read", "image:resolve"])


def database_url(name):
    return f"postgres://registry@127.0.0.1:{PG_PORT}/{name}"


# The read model's tables live in the `read_model` schema (docs/operations.md).
READ_MODEL_ENV = {**os.environ, "PGOPTIONS": "-c search_path=read_model"}


def psql(database, sql, *extra):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "registry", "-d", database,
                           "-v", "ON_ERROR_STOP=1", "-tAc", sql, *extra],
                          check=True, capture_output=True, text=True, env=READ_MODEL_ENV).stdout.strip()


def psql_script(database, name, lines):
    """Runs `lines` (psql commands, such as \\copy) from one script file in one session."""
    script = DATA / f"{name}.sql"
    script.write_text("\n".join(lines) + "\n")
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "registry", "-d", database,
                    "-v", "ON_ERROR_STOP=1", "-q", "-f", str(script)], check=True, capture_output=True, env=READ_MODEL_ENV)


def create_database(name):
    psql("registry", f"CREATE DATABASE {name}")


def service_environment(database, topic, group, port):
    """The settings a service of the benchmark runs with."""
    return dict(os.environ,
                IMAGE_REGISTRY_DATABASE_URL=database_url(database), IMAGE_REGISTRY_KAFKA_BROKERS=KAFKA,
                IMAGE_REGISTRY_TOPIC=topic, IMAGE_REGISTRY_CONSUMER_GROUP=group,
                IMAGE_REGISTRY_INGEST_PORT=str(port), IMAGE_REGISTRY_PROJECTOR_PORT=str(port),
                IMAGE_REGISTRY_MIGRATIONS_DIR=str(ROOT / "migrations"),
                IMAGE_REGISTRY_BLOB_DIR=str(DATA / "blobs"), LOG_LEVEL="error",
                IMAGE_REGISTRY_WAIT_TIMEOUT_MS="30000")


def start_service(name, database, topic, group, port, log, until="readyz"):
    """Starts a service and waits until it answers `until` (`healthz`: up;
    `readyz`: ready for traffic)."""
    environment = service_environment(database, topic, group, port)
    process = subprocess.Popen([str(BIN / name)], env=environment, stdout=open(log, "a"), stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/{until}", timeout=1).ok:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not start")


def wrk(urls, headers=(), script=None, seconds=SECONDS, connections=CONNECTIONS):
    """Loads `urls` (one URL, or one per replica, sharing `connections`
    evenly, run at the same time) and returns the combined rate with the
    slowest replica's latencies."""
    urls = [urls] if isinstance(urls, str) else urls
    command = ["wrk", "-t2", f"-c{connections // len(urls)}", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    # A script gets the run's index as its argument, to keep names apart.
    runs = [subprocess.Popen(command + [url] + (["--", f"r{index}"] if script else []), stdout=subprocess.PIPE,
                             text=True) for index, url in enumerate(urls)]
    outputs = [run.communicate()[0] for run in runs]
    if any(run.returncode for run in runs):
        raise RuntimeError(f"wrk failed: {outputs}")

    def percentile(output, name):
        match = re.search(rf"\s{name}\s+([\d.]+)(us|ms|s)", output)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    def non_2xx(output):
        match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        return int(match.group(1)) if match else 0
    return {"requests_per_second": sum(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
                                       for output in outputs),
            "p50_ms": max(percentile(output, "50%") for output in outputs),
            "p99_ms": max(percentile(output, "99%") for output in outputs),
            "non_2xx": sum(non_2xx(output) for output in outputs)}


def registration(name, index):
    """A personal image of user bench at an s3:// location, which only
    REGISTRAR may register (recorded as unverified)."""
    return {"name": name, "driver": "qemu", "location": f"s3://bench-images/{name}.qcow2",
            "sha256": hashlib.sha256(name.encode()).hexdigest(), "size": 1024 + index}


def registration_script(batch_size=None):
    """A wrk script registering new names: one per request to
    POST /v1/images, or `batch_size` per request to POST /v1/images/batch
    with the request's own Idempotency-Key. Its argument, if any, keeps the
    names of parallel runs apart."""
    prefix, suffix = json.dumps(registration("NAME", 1)).split("NAME", 1)
    if batch_size is None:
        script, request = DATA / "post.lua", f"""
    return wrk.format("POST", "/v1/images", headers, [[{prefix}]] .. name .. [[{suffix}]])"""
    else:
        script, request = DATA / "post-batch.lua", f"""
    local items = {{}}
    for index = 1, {batch_size} do
        items[index] = [[{prefix}]] .. name .. "i" .. index .. [[{suffix}]]
    end
    headers["Idempotency-Key"] = name
    return wrk.format("POST", "/v1/images/batch", headers, '{{"images": [' .. table.concat(items, ",") .. ']}}')"""
    script.write_text(f"""
local counter = 0
local thread_id = 0
local prefix = ""
local threads = {{}}
function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end
function init(args)
    thread_id = id
    prefix = args[1] or ""
end
request = function()
    counter = counter + 1
    local name = "load" .. prefix .. "t" .. thread_id .. "x" .. counter
    local headers = {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {REGISTRAR}"}}{request}
end
""")
    return str(script)


BATCH_SIZE = 100


def measure_ingest(results):
    """Acknowledged POST /v1/images per second vs raw librdkafka produce
    (kcat); also images per second through POST /v1/images/batch."""
    script = registration_script()
    ingest = wrk(f"{INGEST}/v1/images", script=script)
    # Each request waits for its own acknowledgement; with many more
    # requests in flight the rate shows where the ingest's own work limits it.
    ingest["with_256_connections"] = wrk(f"{INGEST}/v1/images", script=script, connections=256)
    batches = wrk(f"{INGEST}/v1/images/batch", script=registration_script(BATCH_SIZE), connections=8)
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
    subprocess.run(["kcat", "-P", "-b", KAFKA, "-t", "bench-raw", "-K:", "-X", "acks=all",
                    "-X", "enable.idempotence=true", "-l", file.name], check=True)
    raw = count / (time.time() - started)
    results["figures"]["ingest"] = ingest
    results["figures"]["raw_produce_per_second"] = raw
    results["figures"]["ingest_batch"] = batches
    results["ratios"]["ingest_vs_raw_produce"] = ingest["requests_per_second"] / raw
    results["ratios"]["ingest_batch_vs_raw_produce"] = batches["images_per_second"] / raw


def seed(count):
    """Registers `count` personal images of user bench through ingest (not timed)."""
    names = [f"img{index}" for index in range(count)]
    session = requests.Session()
    last = {}
    lock = threading.Lock()

    def worker(start):
        local = requests.Session()
        for index in range(start, count, 16):
            answer = local.post(f"{INGEST}/v1/images", json=registration(names[index], index),
                                headers={"Authorization": f"Bearer {REGISTRAR}"}, timeout=60)
            answer.raise_for_status()
            with lock:
                last[answer.headers["Registry-Position"].split(":")[0]] = answer.headers["Registry-Position"]
    threads = [threading.Thread(target=worker, args=(start,)) for start in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for position in last.values():
        session.get(f"{PROJECTOR}/v1/images?limit=1&after={position}",
                    headers={"Authorization": f"Bearer {READER}"}, timeout=60).raise_for_status()
    return next(iter(last.values()))


def measure_lookup(results, label, position):
    """GET /v1/resolve vs a bare route in the same binary vs an indexed select in PostgreSQL.

    `resolve` is what the scheduler gets (the replica's cache answers repeated
    names); `resolve_uncached` names a position already reached (`after=`),
    which bypasses the cache, so every request reads PostgreSQL."""
    lookup = f"{PROJECTOR}/v1/resolve?driver=qemu&image=img{IMAGES // 2}&user=bench"
    resolve = wrk(lookup, headers=[f"Authorization: Bearer {READER}"])
    uncached = wrk(f"{lookup}&after={position}", headers=[f"Authorization: Bearer {READER}"])
    bare = wrk(f"{PROJECTOR}/healthz")
    select = DATA / "select.sql"
    select.write_text(f"\\set n random(0, {IMAGES - 1})\n"
                      "SELECT id, location, sha256, size, version FROM images "
                      "WHERE owner = 'bench' AND namespace_path IS NULL AND name = 'img' || :n "
                      "AND deleted_at IS NULL ORDER BY version DESC LIMIT 1;\n")
    output = subprocess.run(["pgbench", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "registry", "-n",
                             "-c", str(CONNECTIONS), "-j", "2", "-T", str(SECONDS), "-f", str(select), "bench"],
                            check=True, capture_output=True, text=True, env=READ_MODEL_ENV).stdout
    pk_rate = float(re.search(r"tps = ([\d.]+)", output).group(1))
    results["figures"][f"lookup_{label}"] = {"resolve": resolve, "resolve_uncached": uncached, "bare_route": bare,
                                             "indexed_select_per_second": pk_rate}
    if label == "seeded":
        results["ratios"]["resolve_vs_bare_route"] = resolve["requests_per_second"] / bare["requests_per_second"]
        results["ratios"]["resolve_vs_pk_select"] = resolve["requests_per_second"] / pk_rate


def grow_read_model(total):
    """Adds rows straight to the read model (not through the log) until it
    holds `total` image versions, to see how lookups scale with its size."""
    existing = int(psql("bench", "SELECT count(*) FROM images"))
    psql("bench", f"""
        INSERT INTO images (id, source, owner, namespace_path, name, version, driver, location, sha256, size,
                            created_at, created_by, event_id)
        SELECT gen_random_uuid(), 'custom', 'scale' || (n % 5000), NULL, 'img' || n, 1, 'qemu',
               'file:///var/lib/djinn/images/s' || n || '.qcow2', repeat('a', 64), 1, now(), 'bench', gen_random_uuid()
        FROM generate_series(1, {max(0, total - existing)}) AS n;
        ANALYZE images;""")


def measure_broker_latency(results, samples=200):
    """The broker's own produce-to-consume latency: one record at a time, from
    produce to consumed, with the projector's acknowledgement and fetch
    settings (librdkafka from the confluent-kafka wheel)."""
    from confluent_kafka import Consumer, Producer, TopicPartition

    topic = "bench-latency"
    producer = Producer({"bootstrap.servers": KAFKA, "acks": "all", "enable.idempotence": True, "linger.ms": 0})
    delivered = []
    producer.produce(topic, b"start", partition=0, on_delivery=lambda error, message: delivered.append(message))
    producer.flush(30)
    if not delivered or delivered[0].error():
        raise RuntimeError(f"the latency topic could not be written: {delivered}")
    consumer = Consumer({"bootstrap.servers": KAFKA, "group.id": "bench-latency", "enable.auto.commit": False,
                         "fetch.wait.max.ms": 100})
    consumer.assign([TopicPartition(topic, 0, delivered[0].offset() + 1)])
    latencies = []
    try:
        for index in range(samples):
            payload = f"sample{index}".encode()
            sent = time.perf_counter()
            producer.produce(topic, payload, partition=0)
            producer.poll(0)
            while True:
                message = consumer.poll(10)
                if message is None:
                    raise RuntimeError(f"sample {index} was not consumed within 10 s")
                if not message.error() and message.value() == payload:
                    break
            latencies.append((time.perf_counter() - sent) * 1000)
            producer.flush(10)
    finally:
        consumer.close()
    latencies.sort()
    results["freshness"]["broker_p50_ms"] = statistics.median(latencies)
    results["freshness"]["broker_p99_ms"] = latencies[int(len(latencies) * 0.99) - 1]


# Every table the projection writes, for the COPY baseline.
PROJECTED_TABLES = ("applied_events", "namespaces", "images", "audit_events")


def time_replay(database, topic, group, ports, records):
    """Starts projectors of its own (one per port, one consumer group) on an
    empty `database` and times them from the first applied batch (process
    start and joining the group are not applying events) until they have
    passed `records` records. Returns the running projectors, the events
    applied, those applied while timed, and the seconds."""
    # Up, not ready: a replica far behind is not ready until it catches up.
    projectors = [start_service("image-projector", database, topic, group, port, DATA / f"{database}-{port}.log",
                                until="healthz") for port in ports]
    metrics = requests.Session()

    def progress():
        """(events applied, records passed) from the replicas' own metrics:
        cheap to poll, unlike a psql process per sample. A partition that
        moved between replicas counts at the furthest position reported."""
        applied, positions = 0, {}
        for port in ports:
            text = metrics.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            applied += sum(int(float(value)) for value in
                           re.findall(r"^registry_events_applied_total(?:\{[^}]*\})? (\S+)$", text, re.M))
            for partition, value in re.findall(
                    r'^registry_projection_next_offset\{partition="(\d+)"\} (\S+)$', text, re.M):
                positions[partition] = max(positions.get(partition, 0), int(float(value)))
        return applied, sum(positions.values())
    while (at_start := progress()[0]) == 0:
        time.sleep(0.005)
    started = time.time()
    while progress()[1] < records:
        time.sleep(0.005)
    elapsed = time.time() - started
    events = progress()[0]
    return projectors, events, events - at_start, elapsed


def stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait()


def measure_projection(results, topic, records):
    """Replay of the topic into empty tables by a fresh projector vs COPY of every row it wrote."""
    create_database("replay")
    projectors, events, timed, elapsed = time_replay("replay", topic, "replay-group", [18482], records)
    stop(projectors)
    rows = {table: int(psql("replay", f"SELECT count(*) FROM {table}")) for table in PROJECTED_TABLES}
    psql_script("replay", "copy-out", [f"\\copy {table} TO '{DATA / table}.copy'" for table in PROJECTED_TABLES])
    psql("replay", "; ".join(f"CREATE TABLE {table}_copy (LIKE {table} INCLUDING ALL)" for table in PROJECTED_TABLES))
    started = time.time()
    psql_script("replay", "copy-in", [f"\\copy {table}_copy FROM '{DATA / table}.copy'" for table in PROJECTED_TABLES])
    copy_elapsed = time.time() - started
    projected = timed / elapsed
    copied = events / copy_elapsed
    results["figures"]["projection"] = {"events": events, "events_timed": timed, "seconds": elapsed,
                                        "events_per_second": projected, "rows": rows,
                                        "copy_seconds": copy_elapsed, "copy_events_per_second": copied}
    results["ratios"]["projection_vs_copy"] = projected / copied


def produce_synthetic_images(topic, count, partitions=12):
    """Writes `count` image-created events straight to a new topic, as many
    ingest replicas would (1,000 owners, 50 names each), with
    `registry-events`: the services' own CloudEvents codec, so the format
    cannot drift. The rebuild measurement checks nothing was dead-lettered."""
    subprocess.run([str(BIN / "registry-events"), "--brokers", KAFKA, "--topic", topic, "--partitions",
                    str(partitions), "--count", str(count), "--owners", "1000", "--names", "50"],
                   check=True, capture_output=True, text=True)


def measure_rebuild(results, count=REBUILD_EVENTS):
    """A live projector's replay of `count` events into an empty read model,
    then `image-projector rebuild` of that read model beside it, end to end."""
    topic = "bench-rebuild"
    started = time.time()
    produce_synthetic_images(topic, count)
    produced = time.time() - started
    create_database("rebuild")
    projectors, events, timed, elapsed = time_replay("rebuild", topic, "rebuild-group", [18483], count)
    stop(projectors)
    dead = int(psql("rebuild", "SELECT count(*) FROM dead_letters"))
    if events != count or dead:
        raise RuntimeError(f"the replay applied {events} of {count} synthetic events ({dead} dead letters)")
    started = time.time()
    report = subprocess.run([str(BIN / "image-projector"), "rebuild"], check=True, capture_output=True, text=True,
                            env=service_environment("rebuild", topic, "rebuild-group", 18483))
    rebuild_seconds = time.time() - started
    rebuilt = int(psql("rebuild", "SELECT count(*) FROM images"))
    if rebuilt != count:
        raise RuntimeError(f"the rebuilt read model holds {rebuilt} of {count} images: {report.stderr[-2000:]}")
    results["figures"]["rebuild"] = {"events": count, "produce_seconds": produced, "replay_seconds": elapsed,
                                     "replay_events_per_second": timed / elapsed,
                                     "rebuild_seconds": rebuild_seconds}


def settled_records():
    """The records the benchmark's projector has passed, once it has caught up."""
    previous = -1
    while True:
        time.sleep(1)
        current = int(psql("bench", "SELECT coalesce(sum(next_offset), 0) FROM projection_positions"))
        if current == previous:
            return current
        previous = current


def measure_replicas(results):
    """How lookups, ingest and replay move from one replica to two, on the
    same machine: the load is split evenly over the replicas, as a load
    balancer would."""
    second_projector = start_service("image-projector", "bench", "bench-events", "bench-group", 18484,
                                     DATA / "projector-2.log")
    second_ingest = start_service("image-ingest", "bench", "bench-events", "bench-group", 18485,
                                  DATA / "ingest-2.log")
    try:
        lookup = f"/v1/resolve?driver=qemu&image=img{IMAGES // 2}&user=bench"
        reader = [f"Authorization: Bearer {READER}"]
        script = registration_script()
        # Warm the new replicas up (connections, prepared statements, the
        # producer's id) before they are measured, as the first ones were.
        wrk(f"http://127.0.0.1:18484{lookup}", headers=reader, seconds=2)
        wrk("http://127.0.0.1:18485/v1/images", script=script, seconds=2)
        figures = {
            "resolve": {"one": wrk(f"{PROJECTOR}{lookup}", headers=reader),
                        "two": wrk([f"{PROJECTOR}{lookup}", f"http://127.0.0.1:18484{lookup}"], headers=reader)},
            "ingest": {"one": wrk(f"{INGEST}/v1/images", script=script),
                       "two": wrk([f"{INGEST}/v1/images", "http://127.0.0.1:18485/v1/images"], script=script)},
        }
    finally:
        stop([second_projector, second_ingest])
    records = settled_records()
    replays = {}
    for label, ports in (("one", [18486]), ("two", [18486, 18487])):
        create_database(f"replicas_{label}")
        projectors, _, timed, elapsed = time_replay(f"replicas_{label}", "bench-events", f"replicas-{label}", ports,
                                                    records)
        stop(projectors)
        replays[label] = {"events_per_second": timed / elapsed}
    figures["replay"] = replays
    for figure in figures.values():
        figure["two_vs_one"] = figure["two"].get("requests_per_second", figure["two"].get("events_per_second")) / \
            figure["one"].get("requests_per_second", figure["one"].get("events_per_second"))
    results["figures"]["replicas"] = figures


def measure_freshness(results, samples=200):
    """From ingest acknowledgement to visible in GET /v1/resolve."""
    session = requests.Session()
    latencies = []
    for index in range(samples):
        name = f"fresh{index}"
        session.post(f"{INGEST}/v1/images", json=registration(name, index),
                     headers={"Authorization": f"Bearer {REGISTRAR}"}, timeout=30).raise_for_status()
        acknowledged = time.perf_counter()
        while session.get(f"{PROJECTOR}/v1/resolve", params={"driver": "qemu", "image": name, "user": "bench"},
                          headers={"Authorization": f"Bearer {READER}"}, timeout=30).status_code != 200:
            if time.perf_counter() - acknowledged > 30:
                raise RuntimeError(f"{name} was not resolvable 30 s after its acknowledgement")
        latencies.append((time.perf_counter() - acknowledged) * 1000)
    latencies.sort()
    results["freshness"].update({"p50_ms": statistics.median(latencies),
                                 "p99_ms": latencies[int(len(latencies) * 0.99) - 1]})


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


def measure_upload(results, ingest):
    """MB/s of a 1 GiB QCOW2 upload, the whole-file qemu-img check included, vs the machine's own limit for
    the same file: copying it into the blob volume and fsyncing it. Disk speed on a shared machine drifts
    from one second to the next, so each round measures the copy right before the upload and the ratio is
    the median of the rounds' ratios. openssl's SHA-256 rate shows the hashing limit, a bare loopback TCP
    transfer the network limit; the ingest's peak memory shows the upload streams."""
    image = DATA / "upload.qcow2"
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
    copy = DATA / "blobs" / "baseline-copy"
    copy.parent.mkdir(parents=True, exist_ok=True)
    for index in range(UPLOAD_ROUNDS):
        started = time.time()
        subprocess.run(["dd", f"if={image}", f"of={copy}", "bs=1M", "conv=fsync", "status=none"], check=True)
        copy_rate = size / (time.time() - started)
        copy.unlink()
        started = time.time()
        answer = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-T",
                                 str(image), "-H", f"Authorization: Bearer {WRITER}",
                                 "-H", "Content-Type: application/x-qemu-disk",
                                 f"{INGEST}/v1/images?name=upload{index}"], check=True, capture_output=True, text=True)
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


MEASUREMENTS = ("lookup", "ingest", "freshness", "upload", "scaling", "replicas", "projection", "rebuild")


def main():
    """Runs the measurements named on the command line (all by default)."""
    chosen = sys.argv[1:] or MEASUREMENTS
    unknown = set(chosen) - set(MEASUREMENTS)
    if unknown:
        sys.exit(f"unknown measurement {', '.join(sorted(unknown))}; choose from {', '.join(MEASUREMENTS)}")
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                           "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
               "ratios": {}, "freshness": {}, "figures": {"seeded_images": IMAGES, "scaled_images": SCALED_IMAGES}}
    create_database("bench")
    subprocess.run(["kcat", "-b", KAFKA, "-L"], check=True, capture_output=True)
    ingest = start_service("image-ingest", "bench", "bench-events", "bench-group",
                           int(os.environ["BENCH_INGEST_PORT"]), DATA / "ingest.log")
    projector = start_service("image-projector", "bench", "bench-events", "bench-group",
                              int(os.environ["BENCH_PROJECTOR_PORT"]), DATA / "projector.log")
    try:
        seeded_position = seed(IMAGES)
        if "lookup" in chosen:
            measure_lookup(results, "seeded", seeded_position)
        if "ingest" in chosen:
            measure_ingest(results)
        if "freshness" in chosen:
            measure_broker_latency(results)
            measure_freshness(results)
        if "upload" in chosen:
            measure_upload(results, ingest)
        if "scaling" in chosen:
            grow_read_model(SCALED_IMAGES)
            measure_lookup(results, "scaled", seeded_position)
        if "replicas" in chosen:
            measure_replicas(results)
        records = settled_records()
    finally:
        ingest.terminate()
        projector.terminate()
        ingest.wait()
        projector.wait()
    if "projection" in chosen:
        measure_projection(results, "bench-events", records)
    if "rebuild" in chosen:
        measure_rebuild(results)

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    # A run of only some measurements says so in its file name.
    suffix = "" if set(chosen) == set(MEASUREMENTS) else "-" + "-".join(chosen)
    out = ROOT / "bench" / "results" / f"{stamp}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    targets = {"resolve_vs_bare_route": 0.6, "resolve_vs_pk_select": 2, "ingest_vs_raw_produce": 0.5,
               "ingest_batch_vs_raw_produce": 0.5,
               "projection_vs_copy": 0.5, "upload_vs_copy_fsync": 0.6}
    print(f"{'ratio':<26}{'measured':>10}{'target':>10}")
    for name, target in targets.items():
        if name in results["ratios"]:
            print(f"{name:<26}{results['ratios'][name]:>10.3f}{target:>10}")
    freshness = results["freshness"]
    if freshness:
        print(f"freshness p50 {freshness['p50_ms']:.1f} ms, p99 {freshness['p99_ms']:.1f} ms; broker p50 "
              f"{freshness['broker_p50_ms']:.1f} ms, p99 {freshness['broker_p99_ms']:.1f} ms "
              f"(target p99 <= {2 * freshness['broker_p99_ms'] + 20:.1f} ms)")
    print(json.dumps(results["figures"], indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
