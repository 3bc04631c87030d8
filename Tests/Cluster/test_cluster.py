"""The registry as a cluster behind nginx: writes keep being acknowledged and
every acknowledged write becomes resolvable, exactly once, while one ingest
and one projector replica are killed with SIGKILL.

Run by scripts/test after `swift test` (it needs the built binaries, nginx,
PostgreSQL and the broker, which scripts/cluster starts on its own ports).
"""

import hashlib
import json
import importlib.machinery
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import socket

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import registry_token  # noqa: E402
from otlp_receiver import OTLPReceiver, span_id  # noqa: E402
DATA = ROOT / "var" / "cluster-test"
PORT = 18000
BASE_PORT = 18300
SECRET = "cluster-test-secret-0123456789-abcdefghij"
WRITES = 240
WRITERS = 4


def token(user, scopes):
    return registry_token.token(SECRET, user, scopes)


def cluster(command, **extra):
    environment = dict(os.environ, CLUSTER_DIR=str(DATA), CLUSTER_PORT=str(PORT), CLUSTER_BASE_PORT=str(BASE_PORT),
                       IMAGE_REGISTRY_JWT_SECRET=SECRET, INGEST_REPLICAS="3", PROJECTOR_REPLICAS="2",
                       LOG_FORMAT="json", **extra)
    subprocess.run([str(ROOT / "scripts" / "cluster"), command], check=True, env=environment)


@pytest.fixture(scope="module")
def otlp_receiver():
    receiver = OTLPReceiver()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def running_cluster(otlp_receiver):
    subprocess.run(["rm", "-rf", str(DATA)], check=True)
    # Every replica exports its traces to the test's receiver, in OTLP's
    # JSON encoding, in batches 200 ms apart.
    cluster("up", OTEL_EXPORTER_OTLP_ENDPOINT=otlp_receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL="http/json",
            OTEL_BSP_SCHEDULE_DELAY="200")
    try:
        yield f"http://127.0.0.1:{PORT}"
    finally:
        cluster("down")


def psql(query):
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(BASE_PORT + 90), "-U", "registry", "-d", "registry", "-tAc", query],
        check=True, capture_output=True, text=True,
        env={**os.environ, "PGOPTIONS": "-c search_path=read_model"}).stdout.strip()


def pid_of(name):
    return int((DATA / "pids" / f"{name}.pid").read_text())


def replica_alive(name):
    try:
        os.kill(pid_of(name), 0)
        return True
    except (OSError, FileNotFoundError):
        return False


def held_image(base, writer, directory, name="held", pattern=0x5A):
    """Makes a small real QCOW2 image and uploads it as the holder of
    `writer` (a personal image `name`, answered once projected), so that
    they may register its bytes by digest; returns its sha256 and size."""
    path = directory / f"{name}.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=1.1", str(path), "16M"], check=True)
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", f"write -P {pattern} 0 64k", str(path)], check=True,
                   capture_output=True)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    answer = requests.post(f"{base}/v1/images", params={"name": name, "wait": "true"}, data=data, timeout=60,
                           headers={"Authorization": f"Bearer {writer}", "Content-Type": "application/x-qemu-disk"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["sha256"] == digest
    return digest, len(data)


def test_writes_survive_killed_replicas(running_cluster, tmp_path):
    base = running_cluster
    writer = token("alice", ["image:write", "image:read"])
    # Every write registers, under its own name, bytes alice uploaded.
    digest, size = held_image(base, writer, tmp_path)
    acknowledged = {}  # name -> (image id or event id, position)
    lock = threading.Lock()
    retried = []

    def register(index):
        name = f"img{index}"
        body = {"name": name, "driver": "qemu", "sha256": digest, "size": size}
        for attempt in range(30):
            try:
                answer = requests.post(f"{base}/v1/images", json=body, timeout=30,
                                       headers={"Authorization": f"Bearer {writer}"})
            except requests.RequestException:
                answer = None
            if answer is not None and answer.status_code in (200, 201, 202):
                with lock:
                    acknowledged[name] = answer.headers.get("Registry-Position")
                return
            assert answer is None or answer.status_code in (502, 503, 504), answer.text
            retried.append(name)
            time.sleep(0.2)
        raise AssertionError(f"{name} was never acknowledged")

    def write_range(start):
        for index in range(start, WRITES, WRITERS):
            register(index)

    threads = [threading.Thread(target=write_range, args=(start,)) for start in range(WRITERS)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < WRITES // 3:
        time.sleep(0.05)
    os.kill(pid_of("image-ingest-1"), signal.SIGKILL)
    os.kill(pid_of("image-projector-1"), signal.SIGKILL)
    for thread in threads:
        thread.join()
    assert len(acknowledged) == WRITES

    reader = token("alice", ["image:read"])
    deadline = time.time() + 90
    pending = dict(acknowledged)
    while pending and time.time() < deadline:
        for name, position in list(pending.items()):
            answer = requests.get(f"{base}/v1/resolve", timeout=30,
                                  params={"driver": "qemu", "image": name, "user": "alice", "after": position},
                                  headers={"Authorization": f"Bearer {reader}"})
            if answer.status_code == 200:
                resolved = answer.json()
                assert resolved["name"] == name
                assert resolved["sha256"] == digest and resolved["size"] == size and resolved["verified"] is True
                del pending[name]
        time.sleep(0.5)
    assert not pending, f"{len(pending)} acknowledged writes never became resolvable"

    # Each name has one version: a retry of an unacknowledged write records
    # the same bytes again, which the fold applies as no new version and
    # whose audit entry names the version they already are. Every applied
    # event is one or the other; no event applied twice.
    strays = psql("""SELECT count(*) FROM applied_events a
                     WHERE NOT EXISTS (SELECT FROM images i WHERE i.event_id = a.event_id)
                       AND NOT EXISTS (SELECT FROM audit_events e JOIN images i ON i.id = e.image_id
                                       WHERE e.event_id = a.event_id AND e.type = 'image-created'
                                         AND e.rejected IS NULL AND i.sha256 = e.data->>'sha256')""")
    assert strays == "0"
    assert int(psql("SELECT count(*) FROM images WHERE version <> 1")) == 0
    duplicates = psql("SELECT count(*) FROM (SELECT event_id FROM applied_events GROUP BY event_id HAVING count(*) > 1) d")
    assert duplicates == "0"
    assert int(psql("SELECT count(DISTINCT name) FROM images WHERE name <> 'held'")) == WRITES
    assert int(psql("SELECT count(*) FROM images WHERE name = 'held'")) == 1
    print(f"{WRITES} writes acknowledged, {len(retried)} retries after killed replicas")


def test_imagectl_imports_an_image_through_the_balancer(running_cluster, tmp_path):
    """`imagectl import` asks a replica to download an image from a file
    server on this machine and follows it to its end through nginx."""
    base = running_cluster
    path = tmp_path / "imported.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=1.1", str(path), "32M"], check=True)
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x42 0 4M", str(path)], check=True, capture_output=True)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    port = BASE_PORT + 80
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(tmp_path),
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                requests.head(f"http://127.0.0.1:{port}/imported.qcow2", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        result = imagectl(base, "alice", "import", f"http://127.0.0.1:{port}/imported.qcow2", "--name", "imported",
                          "--sha256", digest)
        assert result.returncode == 0, result.stderr
        assert f"sha256:{digest}" in result.stdout
        wrong = imagectl(base, "alice", "import", f"http://127.0.0.1:{port}/imported.qcow2", "--name", "wrong",
                         "--sha256", "0" * 64)
        assert wrong.returncode != 0
        assert "import failed" in wrong.stderr and digest in wrong.stderr
    finally:
        server.terminate()
        server.wait()
    answer = requests.get(f"{base}/v1/resolve", timeout=30, params={"driver": "qemu", "image": "imported", "user": "alice"},
                          headers={"Authorization": f"Bearer {token('alice', ['image:read'])}"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["sha256"] == digest
    imports = json.loads(imagectl(base, "alice", "imports", "-o", "json").stdout)
    assert {i["name"]: i["status"] for i in imports} == {"imported": "done", "wrong": "failed"}
    one = json.loads(imagectl(base, "alice", "imports", "--id", imports[0]["id"], "-o", "json").stdout)
    assert one["id"] == imports[0]["id"]
    scheduler = subprocess.run([str(ROOT / ".build" / "debug" / "imagectl"), "resolve", "imported", "--build-user", "alice",
                                "--record", "build-77", "-o", "json", "--url", base,
                                "--token", token("scheduler", ["image:resolve"])], capture_output=True, text=True)
    assert scheduler.returncode == 0 and json.loads(scheduler.stdout)["sha256"] == digest, scheduler.stderr
    audit = json.loads(imagectl(base, "alice", "audit", "--build", "build-77", "-o", "json").stdout)
    assert [entry["type"] for entry in audit] == ["image-resolved"]


def imagectl(base, user, *arguments):
    """Runs imagectl against the balancer as `user`; returns the finished process."""
    scopes = ["image:write", "image:read", "namespace:write", "namespace:read"]
    return subprocess.run([str(ROOT / ".build" / "debug" / "imagectl"), *arguments, "--url", base,
                           "--token", token(user, scopes)], capture_output=True, text=True, timeout=120)


def test_imagectl_manages_namespaces_invites_and_webhooks(running_cluster):
    base = running_cluster

    def ok(user, *arguments):
        result = imagectl(base, user, *arguments)
        assert result.returncode == 0, f"{arguments}: {result.stderr}"
        return result.stdout

    assert ok("carol", "namespace", "create", "crew/infra", "--visibility", "internal").startswith("crew/infra@carol")
    assert "public" in ok("carol", "namespace", "update", "crew@carol", "--visibility", "public", "--description", "Crew")
    sent = ok("carol", "invite", "send", "crew@carol", "dave")
    assert "dave" in sent and "pending" in sent
    invite = sent.split()[0]
    assert invite in ok("dave", "invite", "list")
    assert "accepted" in ok("dave", "invite", "accept", invite)
    created = ok("carol", "webhook", "create", "crew@carol", "http://127.0.0.1:9/hook", "--events", "images")
    webhook = created.split()[0]
    assert webhook in ok("carol", "webhook", "list", "crew@carol")
    ok("carol", "webhook", "deliveries", "crew@carol", webhook)
    assert "deleted" in ok("carol", "webhook", "delete", "crew@carol", webhook)
    assert "deleted" in ok("carol", "namespace", "delete", "crew/infra@carol")
    refused = imagectl(base, "dave", "namespace", "delete", "crew@carol")
    assert refused.returncode != 0 and "not found" in refused.stderr
    unnamed = imagectl(base, "carol", "namespace", "update", "crew", "--visibility", "private")
    assert unnamed.returncode != 0 and "path@owner" in unnamed.stderr


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 to one ingest replica at a time, as a flaky
    network in front of a balancer: once `cuts[i]` bytes in all have come
    from clients it drops the connection (each cut once), and from the
    second cut on it forwards to the next replica."""

    def __init__(self, upstreams, cuts, counting_answers=False):
        self.upstreams, self.cuts, self.counting_answers = upstreams, list(cuts), counting_answers
        self.sent, self.cut, self.connections = 0, 0, [0] * len(upstreams)
        self.ranges = []  # the Range header of each request that had one
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with self.lock:
                target = 0 if self.cut < 2 else 1
                self.connections[target] += 1
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstreams[target]))
            except OSError:
                client.close()
                continue
            threading.Thread(target=self.pump, args=(client, upstream, not self.counting_answers, True),
                             daemon=True).start()
            threading.Thread(target=self.pump, args=(upstream, client, self.counting_answers, False),
                             daemon=True).start()

    def pump(self, source, destination, counted, from_client):
        try:
            while data := source.recv(1 << 16):
                destination.sendall(data)
                if from_client:
                    for line in data.split(b"\r\n"):
                        if line.lower().startswith(b"range: bytes="):
                            with self.lock:
                                self.ranges.append(line.decode().split(":", 1)[1].strip())
                if counted:
                    with self.lock:
                        self.sent += len(data)
                        cutting = self.cut < len(self.cuts) and self.sent >= self.cuts[self.cut]
                        if cutting:
                            self.cut += 1
                    if cutting:
                        break
        except OSError:
            pass
        for end in (source, destination):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def stop(self):
        self.server.close()


def test_an_upload_cut_twice_resumes_on_another_replica(running_cluster, tmp_path):
    """A 1 GiB upload through imagectl whose connection is cut at 300 MiB
    and at 700 MiB goes on from the registry's bytes each time, the second
    time on the other ingest replica; the stored image has the file's digest."""
    base = running_cluster
    path = tmp_path / "big.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=1.1", str(path), "2G"], check=True)
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x61 0 1G", str(path)], check=True, capture_output=True)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    # Two ingest replicas still running (another test kills one).
    live = [BASE_PORT + index for index in (1, 2, 3) if replica_alive(f"image-ingest-{index}")]
    assert len(live) >= 2, live
    proxy = CuttingProxy(live[:2], [300 << 20, 700 << 20])
    try:
        environment = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
        result = subprocess.run(
            [str(ROOT / ".build" / "debug" / "imagectl"), "upload", str(path), "--name", "resumed", "--wait",
             "--chunk-mebibytes", "128", "--url", f"http://127.0.0.1:{proxy.port}", "--query-url", base,
             "--token", token("alice", ["image:write", "image:read"])],
            capture_output=True, text=True, timeout=600, env=environment)
    finally:
        proxy.stop()
    assert result.returncode == 0, result.stderr
    assert f"sha256:{digest}" in result.stdout
    assert proxy.cut == 2
    assert proxy.connections[0] > 0 and proxy.connections[1] > 0, proxy.connections
    # Resumed, not sent again: about one file's worth of bytes went through.
    assert proxy.sent < path.stat().st_size * 1.3, proxy.sent
    assert not list((tmp_path / "cache" / "imagectl" / "uploads").glob("*")), "the finished upload is forgotten"
    answer = requests.get(f"{base}/v1/resolve", timeout=30, params={"driver": "qemu", "image": "resumed", "user": "alice"},
                          headers={"Authorization": f"Bearer {token('alice', ['image:read'])}"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["sha256"] == digest

    # Pulled back through a connection cut at 400 MiB: the download goes on
    # with Range from the bytes it has, and the file is checked whole.
    image_id = answer.json()["image_id"]
    pulled = tmp_path / "pulled.qcow2"
    nginx_port = int(base.rsplit(":", 1)[1])
    reading = CuttingProxy([nginx_port, nginx_port], [400 << 20], counting_answers=True)
    try:
        result = imagectl(f"http://127.0.0.1:{reading.port}", "alice", "pull", image_id, "--output", str(pulled))
    finally:
        reading.stop()
    assert result.returncode == 0, result.stderr
    assert f"sha256:{digest}" in result.stdout
    assert hashlib.sha256(pulled.read_bytes()).hexdigest() == digest
    assert reading.cut == 1 and any(r.startswith("bytes=") and r != "bytes=0-" for r in reading.ranges), reading.ranges
    assert reading.sent < path.stat().st_size * 1.3, reading.sent
    # A run that ended partway (its .part is left) goes on in the next run.
    partial = tmp_path / "again.qcow2.part"
    with open(path, "rb") as source, open(partial, "wb") as target:
        target.write(source.read(100 << 20))
    rerun = CuttingProxy([nginx_port], [])
    try:
        result = imagectl(f"http://127.0.0.1:{rerun.port}", "alice", "pull", image_id, "--output", str(tmp_path / "again.qcow2"))
    finally:
        rerun.stop()
    assert result.returncode == 0, result.stderr
    assert rerun.ranges == [f"bytes={100 << 20}-"], rerun.ranges
    assert not partial.exists() and hashlib.sha256((tmp_path / "again.qcow2").read_bytes()).hexdigest() == digest


def test_imagectl_output_formats_and_exit_statuses(running_cluster, tmp_path):
    """Every read command prints a table with a header row (or none), the
    API's JSON, or the same as YAML; failures end with the documented
    exit statuses."""
    import yaml
    base = running_cluster

    def run(user, *arguments):
        return imagectl(base, user, *arguments)

    assert run("erin", "namespace", "create", "lab/gpu", "--visibility", "public").returncode == 0
    assert run("erin", "namespace", "update", "lab@erin", "--description", "Lab images").returncode == 0
    table = run("erin", "namespaces", "--owner", "erin")
    assert table.returncode == 0, table.stderr
    assert table.stdout == (
        "NAMESPACE     VISIBILITY  DESCRIPTION\n"
        "lab@erin      public      Lab images\n"
        "lab/gpu@erin  public\n"), table.stdout
    bare = run("erin", "namespaces", "--owner", "erin", "--no-headers")
    assert bare.stdout.splitlines()[0].startswith("lab@erin")
    as_json = json.loads(run("erin", "namespaces", "--owner", "erin", "-o", "json").stdout)
    assert [n["reference"] for n in as_json] == ["lab@erin", "lab/gpu@erin"]
    as_yaml = yaml.safe_load(run("erin", "namespaces", "--owner", "erin", "-o", "yaml").stdout)
    assert as_yaml == as_json

    path = tmp_path / "erin.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=1.1", str(path), "16M"], check=True)
    uploaded = run("erin", "upload", str(path), "--name", "tiny", "--namespace", "lab", "--wait")
    assert uploaded.returncode == 0, uploaded.stderr
    for command, key in [(["images", "--namespace", "lab@erin"], "sha256"), (["audit", "--namespace", "lab@erin"], "type")]:
        listed = run("erin", *command, "-o", "json")
        assert listed.returncode == 0, listed.stderr
        items = json.loads(listed.stdout)
        assert items and all(key in item for item in items), listed.stdout
        assert yaml.safe_load(run("erin", *command, "-o", "yaml").stdout) == items
        header = run("erin", *command).stdout.splitlines()[0].split()
        assert header[0] in ("ID", "TIME"), header
    resolved = run("erin", "resolve", "tiny", "--build-user", "erin", "--namespace", "lab@erin", "-o", "json")
    assert json.loads(resolved.stdout)["name"] == "tiny", resolved.stdout + resolved.stderr

    v2 = tmp_path / "v2.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=0.10", str(v2), "16M"], check=True)
    statuses = {
        "usage": (run("erin", "images", "--no-such-flag").returncode, 1),
        "not found": (run("erin", "resolve", "nothing", "--build-user", "erin").returncode, 2),
        "refused": (subprocess.run([str(ROOT / ".build" / "debug" / "imagectl"), "images", "--url", base, "--token",
                                    "not-a-token"], capture_output=True, text=True).returncode, 3),
        "invalid image": (run("erin", "upload", str(v2), "--name", "old").returncode, 4),
        "temporary": (subprocess.run([str(ROOT / ".build" / "debug" / "imagectl"), "images", "--url", "http://127.0.0.1:9",
                                      "--token", "t"], capture_output=True, text=True).returncode, 75),
    }
    assert all(got == wanted for got, wanted in statuses.values()), statuses


def test_imagectl_logs_in_to_a_context_and_mints_only_with_a_named_secret(running_cluster, tmp_path):
    base = running_cluster
    binary = str(ROOT / ".build" / "debug" / "imagectl")
    environment = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"))
    environment.pop("IMAGE_REGISTRY_TOKEN", None)
    environment.pop("IMAGE_REGISTRY_URL", None)

    def run(*arguments, stdin=None):
        return subprocess.run([binary, *arguments], capture_output=True, text=True, env=environment, input=stdin,
                              timeout=60)

    refused = run("login", base, "--context", "cluster", stdin="not-a-token\n")
    assert refused.returncode == 3, refused.stderr
    good = token("frank", ["image:read", "image:write", "namespace:read", "namespace:write"])
    logged_in = run("login", base, "--context", "cluster", stdin=good + "\n")
    assert logged_in.returncode == 0, logged_in.stderr
    stored = tmp_path / "config" / "imagectl" / "tokens" / "cluster"
    assert stored.read_text() == good and (stored.stat().st_mode & 0o077) == 0
    assert run("namespace", "create", "frankly").returncode == 0
    listed = run("namespaces", "--owner", "frank", "-o", "json")
    assert listed.returncode == 0, listed.stderr
    assert [n["reference"] for n in json.loads(listed.stdout)] == ["frankly@frank"]
    contexts = run("context", "list", "--no-headers")
    assert contexts.stdout.split()[:2] == ["*", "cluster"], contexts.stdout
    assert run("context", "use", "nowhere").returncode == 2
    # A token is minted only from a secret named on the command line.
    assert run("dev", "token", "--user", "frank").returncode == 1
    minted = subprocess.run([binary, "dev", "token", "--user", "frank", "--secret-env", "CLUSTER_SECRET"],
                            capture_output=True, text=True, env=dict(environment, CLUSTER_SECRET=SECRET))
    assert minted.returncode == 0 and minted.stdout.count(".") == 2, minted.stderr
    assert run("logout").returncode == 0 and not stored.exists()
    anonymous = run("namespace", "create", "again")
    assert anonymous.returncode == 3, anonymous.stderr


def test_imagectl_covers_images_collaborators_dead_letters_and_health(running_cluster, tmp_path):
    base = running_cluster
    binary = str(ROOT / ".build" / "debug" / "imagectl")

    def run(user, *arguments, scopes=("image:write", "image:read", "namespace:write", "namespace:read")):
        return subprocess.run([binary, *arguments, "--url", base, "--token", token(user, list(scopes))],
                              capture_output=True, text=True, timeout=120)

    path = tmp_path / "gina.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=1.1", str(path), "16M"], check=True)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert run("gina", "upload", str(path), "--name", "first", "--namespace", "den", "--wait").returncode == 0
    listed = json.loads(run("gina", "images", "--namespace", "den@gina", "-o", "json").stdout)
    image_id = listed[0]["id"]
    shown = run("gina", "image", "show", image_id, "-o", "json")
    assert json.loads(shown.stdout)["sha256"] == digest, shown.stderr
    registered = run("gina", "image", "register", "--name", "second", "--sha256", digest, "--size",
                     str(path.stat().st_size))
    assert registered.returncode == 0 and f"sha256:{digest}" in registered.stdout, registered.stderr
    assert "deleted" in run("gina", "image", "delete", image_id).stdout
    assert run("gina", "image", "delete", image_id).returncode == 2
    assert run("henry", "image", "show", image_id).returncode == 2

    admin = ("registry:admin", "image:write", "image:read", "namespace:write", "namespace:read")
    added = run("root", "collaborator", "add", "den@gina", "henry", scopes=admin)
    assert added.returncode == 0 and "henry" in added.stdout, added.stderr
    assert run("gina", "collaborator", "add", "den@gina", "ivy").returncode == 3
    shown = json.loads(run("gina", "namespace", "show", "den@gina", "-o", "json").stdout)
    assert shown["collaborators"] == ["henry"]
    removed = run("gina", "collaborator", "remove", "den@gina", "henry")
    assert removed.returncode == 0 and "henry" not in removed.stdout, removed.stderr

    letters = run("root", "dead-letters", "-o", "json", scopes=admin)
    assert letters.returncode == 0 and isinstance(json.loads(letters.stdout), list), letters.stderr
    assert run("gina", "dead-letters").returncode in (2, 3)
    health = run("gina", "health", "-o", "json")
    assert health.returncode == 0 and all(side["ready"] for side in json.loads(health.stdout)), health.stdout
    down = subprocess.run([binary, "health", "--url", "http://127.0.0.1:9"], capture_output=True, text=True)
    assert down.returncode == 75 and "false" in down.stdout


GOLDEN = Path(__file__).resolve().parent / "golden" / "imagectl.txt"


def normalized(text):
    """Output with what changes from run to run (ids, digests, times,
    log positions) replaced by placeholders, and runs of spaces made one."""
    import re
    text = re.sub(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "<id>", text)
    text = re.sub(r"\b[0-9a-f]{64}\b", "<sha256>", text)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "<time>", text)
    text = re.sub(r"(?<![.\d])\b\d+:\d+\b", "<position>", text)
    # Request ids are hex of varying length; they appear only under their key.
    text = re.sub(r'"request_id" : "[^"]*"', '"request_id" : "<request>"', text)
    text = re.sub(r"file://[^\s\"]*/sha256/[0-9a-f]{2}/", "file://<blob store>/sha256/<ab>/", text)
    return "\n".join(re.sub(r"(?<=\S) {2,}", "  ", line.rstrip()) for line in text.splitlines()) + "\n"


def test_imagectl_read_commands_match_their_golden_output(running_cluster, tmp_path):
    """The table and the JSON of every read command, for data made here
    (ids, digests, times and positions normalized), against
    Tests/Cluster/golden/imagectl.txt; UPDATE_GOLDEN=1 rewrites it."""
    base = running_cluster
    binary = str(ROOT / ".build" / "debug" / "imagectl")
    scopes = ["image:write", "image:read", "namespace:write", "namespace:read", "image:resolve"]

    def run(user, *arguments):
        result = subprocess.run([binary, *arguments, "--url", base, "--token", token(user, scopes)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{arguments}: {result.stderr}"
        return result.stdout

    path = tmp_path / "kim.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=1.1", str(path), "16M"], check=True)
    run("kim", "namespace", "create", "studio/render", "--visibility", "internal")
    run("kim", "namespace", "update", "studio@kim", "--description", "Render farm images")
    run("kim", "upload", str(path), "--name", "renderer", "--namespace", "studio/render", "--wait", "--quiet")
    run("kim", "invite", "send", "studio@kim", "lee")
    webhook = run("kim", "webhook", "create", "studio@kim", "http://127.0.0.1:9/hook", "--events", "namespaces").split()[0]
    image = json.loads(run("kim", "images", "--namespace", "studio/render@kim", "-o", "json"))[0]["id"]
    run("kim", "image", "deprecate", image, "--reason", "old toolchain", "--replacement", "renderer2")
    run("kim", "namespace", "update", "studio/render@kim", "--keep-newest", "3", "--revoked-fallback", "true")
    commands = [
        ("kim", ["images", "--namespace", "studio/render@kim"]),
        ("kim", ["image", "show", image]),
        ("kim", ["namespaces", "--owner", "kim"]),
        ("kim", ["namespace", "show", "studio@kim"]),
        ("kim", ["resolve", "renderer", "--build-user", "kim", "--namespace", "studio/render@kim"]),
        ("kim", ["audit", "--namespace", "studio/render@kim"]),
        ("lee", ["invite", "list"]),
        ("kim", ["webhook", "list", "studio@kim"]),
        ("kim", ["webhook", "deliveries", "studio@kim", webhook]),
        ("kim", ["retention", "preview", "studio/render@kim"]),
    ]
    sections = []
    for user, command in commands:
        for form in ("table", "json"):
            shown = " ".join("ID" if part in (image, webhook) else part for part in command)
            sections.append(f"## imagectl {shown} -o {form}\n" + normalized(run(user, *command, "-o", form)))
    produced = "\n".join(sections)
    # Shell completion offers the names the registry shows the user.
    completion = subprocess.run(
        [binary, "---completion", "resolve", "--", "positional@0", "2", "0", "imagectl", "resolve", "rend"],
        capture_output=True, text=True, timeout=30,
        env=dict(os.environ, IMAGE_REGISTRY_URL=base, IMAGE_REGISTRY_TOKEN=token("kim", scopes)))
    assert "renderer" in completion.stdout.split(), completion.stdout + completion.stderr
    namespaces = subprocess.run(
        [binary, "---completion", "images", "--", "--namespace", "3", "0", "imagectl", "images", "--namespace", "studio"],
        capture_output=True, text=True, timeout=30,
        env=dict(os.environ, IMAGE_REGISTRY_URL=base, IMAGE_REGISTRY_TOKEN=token("kim", scopes)))
    assert {"studio@kim", "studio/render@kim"} <= set(namespaces.stdout.split()), namespaces.stdout + namespaces.stderr
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(produced)
    assert produced == GOLDEN.read_text()


def test_every_replica_names_its_metrics_by_prometheus_conventions(running_cluster):
    """Each replica's /metrics, read with Prometheus' own client parser,
    follows the naming conventions and carries the families operators
    rely on (the process, the build, readiness, HTTP by route)."""
    import metrics_conventions
    # The balancer does not serve /metrics: Prometheus scrapes each replica.
    assert requests.get(f"{running_cluster}/metrics", timeout=10).status_code == 404
    # Replicas the crash test killed are left out; every service has a live one.

    # One write and one lookup first, so that the families the code creates
    # at their first use (the produce and projection metrics, the resolve
    # route) are there even when this test runs alone (`-k metrics`).
    # The crash test has just killed a projector: until the group hands its
    # partitions to a live one (a session timeout and a rebalance later), a
    # write there answers 504 "retry later", and a client retries it with
    # the same idempotency key.
    writer = token("metrics", ["namespace:write", "image:read"])
    deadline = time.time() + 60
    while True:
        answer = requests.post(f"{running_cluster}/v1/namespaces", json={"path": "observed"}, params={"wait": "true"},
                               headers={"Authorization": f"Bearer {writer}", "Idempotency-Key": "metrics-observed"},
                               timeout=30)
        if answer.status_code != 504 or time.time() > deadline:
            break
        time.sleep(0.5)
    assert answer.status_code in (200, 201), answer.text
    requests.get(f"{running_cluster}/v1/resolve", params={"driver": "qemu", "image": "absent", "user": "metrics"},
                 headers={"Authorization": f"Bearer {writer}"}, timeout=30)
    scraped = {}  # service -> the /metrics texts of its live replicas
    first_ports = {"image-ingest": BASE_PORT, "image-projector": BASE_PORT + 50}
    for service, first_port in first_ports.items():
        replica_ports = [first_port + index for index in (1, 2) if replica_alive(f"{service}-{index}")]
        assert replica_ports, f"no {service} replica is running"
        for port in replica_ports:
            text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            scraped.setdefault(service, []).append(text)
            assert metrics_conventions.problems(text) == [], f"{service} on {port}"
            names = metrics_conventions.names(text)
            for needed in ("http_server_requests_total", "http_server_request_duration_seconds",
                           "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                           "process_start_time_seconds", "registry_build_info", "registry_ready",
                           "registry_event_log_retention_finite"):
                assert needed in names, f"{needed} is missing on {service} {port}"
            assert f'registry_build_info{{service="{service}",version="' in text
            assert "registry_ready{" in text and 'registry_ready{service="' + service + '"} 1' in text
    # The shipped dashboard and alerting rules read only families, and labels,
    # that these replicas really export (scripts/check-observability), and
    # the route they watch is named as the alerts and panels expect.
    assert any('http_route="/v1/resolve"' in text for text in scraped["image-projector"])
    loader = importlib.machinery.SourceFileLoader("check_observability", str(ROOT / "scripts" / "check-observability"))
    check_observability = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(check_observability)
    texts = [text for texts in scraped.values() for text in texts]
    assert check_observability.live_problems(texts) == []


def test_logs_are_one_json_object_per_line_with_request_and_event_ids(running_cluster):
    """With LOG_FORMAT=json every line a replica writes is one JSON object,
    and each recorded event's line names its request, event and position."""
    import json
    alice = token("alice", ["namespace:write"])
    answer = requests.post(f"{running_cluster}/v1/namespaces", json={"path": "logged"},
                           headers={"Authorization": f"Bearer {alice}"}, timeout=10)
    assert answer.status_code in (200, 202), answer.text
    recorded = []
    for log in sorted(DATA.glob("image-*.log")):
        for number, line in enumerate(log.read_text().splitlines(), 1):
            fields = json.loads(line)  # fails the test on any line that is not JSON
            assert {"timestamp", "level", "logger", "message"} <= fields.keys(), f"{log.name}:{number}"
            if fields["message"] == "event recorded":
                recorded.append(fields)
    assert recorded, "no ingest replica logged a recorded event"
    for fields in recorded:
        assert fields["hb.request.id"] and fields["event.id"] and fields["position"], fields


def test_one_upload_is_one_trace_from_the_request_to_the_projection(running_cluster, otlp_receiver, tmp_path):
    """The caller's W3C traceparent starts the trace: the ingest replica's
    request span, its Kafka send span and the projector's apply span of the
    event arrive at a real OTLP receiver as one trace, each the child of the
    one before, although the event crossed the broker in between."""
    trace_id = os.urandom(16).hex()
    caller_span = os.urandom(8).hex()
    writer = token("tracy", ["image:write", "image:read"])
    path = tmp_path / "traced.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=1.1", str(path), "16M"], check=True)
    answer = requests.post(f"{running_cluster}/v1/images", params={"name": "traced", "wait": "true"},
                           data=path.read_bytes(), timeout=60,
                           headers={"Authorization": f"Bearer {writer}", "Content-Type": "application/x-qemu-disk",
                                    "traceparent": f"00-{trace_id}-{caller_span}-01"})
    assert answer.status_code == 201, answer.text

    def spans_named(spans, prefix):
        return [span for span in spans if span["name"].startswith(prefix)]

    def server_spans(spans):
        # OTLP's SPAN_KIND_SERVER is 2; Hummingbird names the span by its route.
        return [s for s in spans if s["service"] == "image-ingest" and s.get("kind") in (2, "SPAN_KIND_SERVER")]

    # Each replica exports on its own schedule: wait until all three arrived.
    deadline = time.monotonic() + 20
    while True:
        spans = otlp_receiver.trace(trace_id)
        requests_, sends = server_spans(spans), spans_named(spans, "send ")
        applies = spans_named(spans, "apply image-created")
        if (requests_ and sends and applies) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    time.sleep(0.5)  # and that nothing else of this trace follows
    spans = otlp_receiver.trace(trace_id)
    names = sorted((span["service"], span["name"]) for span in spans)
    requests_, sends = server_spans(spans), spans_named(spans, "send ")
    applies = spans_named(spans, "apply image-created")
    assert len(requests_) == 1 and len(sends) == 1 and len(applies) == 1, names
    request, send, apply = requests_[0], sends[0], applies[0]
    assert request["name"] == "/v1/images" and span_id(request["parentSpanId"]) == caller_span, names
    assert span_id(send["parentSpanId"]) == span_id(request["spanId"])
    assert span_id(apply["parentSpanId"]) == span_id(send["spanId"])
    assert send["service"] == "image-ingest" and apply["service"] == "image-projector"
    def message_id(span):
        return next(a["value"]["stringValue"] for a in span["attributes"] if a["key"] == "messaging.message.id")
    assert message_id(apply) == message_id(send)
