"""PostgreSQL and the services under test."""

import os
import re
import subprocess
import time

import requests

# The read model's tables live in the `read_model` schema (docs/operations.md).
READ_MODEL_ENV = {**os.environ, "PGOPTIONS": "-c search_path=read_model"}


def database_url(settings, name):
    return f"postgres://registry@127.0.0.1:{settings.postgres_port}/{name}"


def psql(settings, database, sql, *extra):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(settings.postgres_port), "-U", "registry",
                           "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql, *extra],
                          check=True, capture_output=True, text=True, env=READ_MODEL_ENV).stdout.strip()


def psql_script(settings, database, name, lines):
    """Runs `lines` (psql commands, such as \\copy) from one script file in one session."""
    script = settings.data / f"{name}.sql"
    script.write_text("\n".join(lines) + "\n")
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(settings.postgres_port), "-U", "registry", "-d", database,
                    "-v", "ON_ERROR_STOP=1", "-q", "-f", str(script)], check=True, capture_output=True,
                   env=READ_MODEL_ENV)


def create_database(settings, name):
    psql(settings, "registry", f"CREATE DATABASE {name}")


def service_environment(settings, database, topic, group, port):
    """The settings a service of the benchmark runs with."""
    return dict(os.environ,
                IMAGE_REGISTRY_DATABASE_URL=database_url(settings, database), IMAGE_REGISTRY_KAFKA_BROKERS=settings.kafka,
                IMAGE_REGISTRY_TOPIC=topic, IMAGE_REGISTRY_CONSUMER_GROUP=group,
                IMAGE_REGISTRY_INGEST_PORT=str(port), IMAGE_REGISTRY_PROJECTOR_PORT=str(port),
                IMAGE_REGISTRY_MIGRATIONS_DIR=str(settings.root / "migrations"),
                IMAGE_REGISTRY_BLOB_DIR=str(settings.data / "blobs"), LOG_LEVEL="error",
                IMAGE_REGISTRY_WAIT_TIMEOUT_MS="30000",
                # The webhook measurement's receiver listens on 127.0.0.1.
                IMAGE_REGISTRY_IMPORT_ALLOW="127.0.0.1/32",
                # The projector's dashboard sends its writes to the benchmark's ingest.
                IMAGE_REGISTRY_DASHBOARD_INGEST_URL=f"http://127.0.0.1:{settings.ingest_port}")


def start_service(settings, name, database, topic, group, port, log, until="readyz"):
    """Starts a service and waits until it answers `until` (`healthz`: up;
    `readyz`: ready for traffic)."""
    environment = service_environment(settings, database, topic, group, port)
    process = subprocess.Popen([str(settings.bin / name)], env=environment, stdout=open(log, "a"),
                               stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/{until}", timeout=1).ok:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not start")


def stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait()


def settled_records(settings):
    """The records the benchmark's projector has passed, once it has caught up."""
    previous = -1
    while True:
        time.sleep(1)
        current = int(psql(settings, "bench", "SELECT coalesce(sum(next_offset), 0) FROM projection_positions"))
        if current == previous:
            return current
        previous = current


def projector_progress(session, ports):
    """(events applied, records passed) from the replicas' own metrics:
    cheap to poll, unlike a psql process per sample. A partition that moved
    between replicas counts at the furthest position reported."""
    applied, positions = 0, {}
    for port in ports:
        text = session.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        applied += sum(int(float(value)) for value in
                       re.findall(r"^registry_events_applied_total(?:\{[^}]*\})? (\S+)$", text, re.M))
        for partition, value in re.findall(r'^registry_projection_next_offset\{partition="(\d+)"\} (\S+)$', text, re.M):
            positions[partition] = max(positions.get(partition, 0), int(float(value)))
    return applied, sum(positions.values())


def time_replay(settings, database, topic, group, ports, records):
    """Starts projectors of its own (one per port, one consumer group) on an
    empty `database` and times them from the first applied batch (process
    start and joining the group are not applying events) until they have
    passed `records` records. Returns the running projectors, the events
    applied, those applied while timed, and the seconds."""
    # Up, not ready: a replica far behind is not ready until it catches up.
    projectors = [start_service(settings, "image-projector", database, topic, group, port,
                                settings.data / f"{database}-{port}.log", until="healthz") for port in ports]
    session = requests.Session()
    while (at_start := projector_progress(session, ports)[0]) == 0:
        time.sleep(0.005)
    started = time.time()
    while projector_progress(session, ports)[1] < records:
        time.sleep(0.005)
    elapsed = time.time() - started
    events = projector_progress(session, ports)[0]
    return projectors, events, events - at_start, elapsed
