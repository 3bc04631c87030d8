"""Fixtures of the browser tests: the real services on 127.0.0.1 and a
headless Chromium driven by Selenium.

scripts/test runs these after `swift test`, with the PostgreSQL and broker
it started (REGISTRY_TEST_DATABASE_URL, REGISTRY_TEST_KAFKA_BROKERS) and the
built binaries (REGISTRY_TEST_BIN_DIR); the tests then use a database, a
topic and a consumer group of their own. Run alone (`python3 -m pytest -q
Tests/Browser` after `swift build`), they start a PostgreSQL and an
in-memory broker of their own in var/browser-test with scripts/lib/infra.sh
and use .build/debug's binaries.

Each test saves a screenshot of where its browser ended as
var/screenshots/<test name>.png; the services' logs are in var/browser-test.
"""

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "var" / "browser-test"
SCREENSHOTS = ROOT / "var" / "screenshots"
SECRET = "browser-test-secret-0123456789-abcdefghij"
WEBHOOK_KEY = "browser-test-webhook-key-change-me-0123456"
DATABASE = "browser_test"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

sys.path.insert(0, str(ROOT / "scripts" / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import browser_support  # noqa: E402


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(port, process, name, limit=120):
    deadline = time.time() + limit
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {DATA / (name + '.log')}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} was not ready on 127.0.0.1:{port} after {limit}s; see {DATA / (name + '.log')}")


def stop_process(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# The PostgreSQL and broker of a run on its own, started by infra.sh's
# helpers in one shell that stops them (by PID) when it is terminated.
OWN_INFRASTRUCTURE = r"""
source "$1/scripts/lib/infra.sh"
data="$2"
finish() { trap - TERM INT EXIT; stop_started; stop_postgres "$data/postgres"; exit 0; }
trap finish TERM INT EXIT
stop_postgres "$data/postgres"
rm -rf "$data"
PG_FSYNC=off start_postgres "$data/postgres" "$3"
start_broker "$data/broker" "$4" memory
echo ready
while :; do sleep 0.5; done
"""


@pytest.fixture(scope="session")
def run_lock():
    """One browser test run at a time on this machine: they share
    var/browser-test, its PostgreSQL port and the database's name."""
    DATA.parent.mkdir(parents=True, exist_ok=True)
    with open(DATA.parent / "browser-test.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("waiting for another browser test run to end", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def infrastructure(run_lock):
    """(database URL, brokers) for the services under test."""
    database_url = os.environ.get("REGISTRY_TEST_DATABASE_URL")
    brokers = os.environ.get("REGISTRY_TEST_KAFKA_BROKERS")
    # var/browser-test/own is the run-alone PostgreSQL's: its shell stops
    # a server left running there before it starts one.
    DATA.mkdir(parents=True, exist_ok=True)
    for left in DATA.iterdir():
        if left.name != "own":
            shutil.rmtree(left) if left.is_dir() else left.unlink()
    shell = None
    if not (database_url and brokers):
        postgres_port, kafka_port = 55482, 19592
        shell = subprocess.Popen(["bash", "-c", OWN_INFRASTRUCTURE, "infra", str(ROOT), str(DATA / "own"),
                                  str(postgres_port), str(kafka_port)],
                                 stdout=subprocess.PIPE, stderr=open(DATA / "infrastructure.log", "w"), text=True)
        if shell.stdout.readline().strip() != "ready":
            shell.wait()
            raise RuntimeError(f"PostgreSQL or the broker did not start; see {DATA / 'infrastructure.log'}")
        database_url = f"postgres://registry@127.0.0.1:{postgres_port}/registry"
        brokers = f"127.0.0.1:{kafka_port}"
    server = urllib.parse.urlparse(database_url)
    psql = ["psql", "-h", server.hostname, "-p", str(server.port), "-U", server.username or "registry",
            "-d", server.path.lstrip("/") or "registry", "-v", "ON_ERROR_STOP=1", "-q"]
    environment = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    subprocess.run(psql + ["-c", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"], check=True, env=environment)
    subprocess.run(psql + ["-c", f"CREATE DATABASE {DATABASE}"], check=True, env=environment)
    try:
        yield server._replace(path=f"/{DATABASE}").geturl(), brokers
    finally:
        if shell is not None:
            shell.terminate()
            shell.wait(timeout=60)


@pytest.fixture(scope="session")
def registry(infrastructure):
    """The real image-ingest and image-projector on free loopback ports,
    the dashboard's development sign-in on, imports from loopback allowed."""
    database_url, brokers = infrastructure
    binaries = Path(os.environ.get("REGISTRY_TEST_BIN_DIR") or ROOT / ".build" / "debug")
    for name in ("image-ingest", "image-projector"):
        if not os.access(binaries / name, os.X_OK):
            raise RuntimeError(f"{binaries / name} is missing; run swift build first")
    for program in (CHROMIUM, CHROMEDRIVER):
        if not os.access(program, os.X_OK):
            raise RuntimeError(f"{program} is missing; scripts/lib/infra.sh's install_dependencies installs it")
    ingest_port, projector_port = free_port(), free_port()
    run = f"{os.getpid()}.{int(time.time())}"
    environment = dict(
        os.environ,
        IMAGE_REGISTRY_JWT_SECRET=SECRET, IMAGE_REGISTRY_WEBHOOK_KEY=WEBHOOK_KEY,
        IMAGE_REGISTRY_DATABASE_URL=database_url, IMAGE_REGISTRY_KAFKA_BROKERS=brokers,
        IMAGE_REGISTRY_TOPIC=f"browser-test.events.{run}", IMAGE_REGISTRY_CONSUMER_GROUP=f"browser-test.{run}",
        IMAGE_REGISTRY_TOPIC_PARTITIONS="3",
        IMAGE_REGISTRY_MIGRATIONS_DIR=str(ROOT / "migrations"), IMAGE_REGISTRY_BLOB_DIR=str(DATA / "blobs"),
        IMAGE_REGISTRY_INGEST_PORT=str(ingest_port), IMAGE_REGISTRY_PROJECTOR_PORT=str(projector_port),
        IMAGE_REGISTRY_IMPORT_ALLOW="127.0.0.1/32",
        IMAGE_REGISTRY_DASHBOARD_DEV_SIGNIN="true",
        IMAGE_REGISTRY_DASHBOARD_INGEST_URL=f"http://127.0.0.1:{ingest_port}")
    processes = []
    try:
        for name, port in (("image-ingest", ingest_port), ("image-projector", projector_port)):
            process = subprocess.Popen([str(binaries / name)], env=environment, stdout=open(DATA / f"{name}.log", "a"),
                                       stderr=subprocess.STDOUT)
            processes.append(process)
            wait_until_ready(port, process, name)
        yield browser_support.Registry(ingest=f"http://127.0.0.1:{ingest_port}",
                                       projector=f"http://127.0.0.1:{projector_port}", secret=SECRET)
    finally:
        for process in reversed(processes):
            stop_process(process)


def chromium(request, javascript=True):
    """A fresh headless Chromium (no cookies) for one test; where it ended is
    saved as var/screenshots/<test name>.png, pass or fail. Without
    `javascript` it runs no page script at all."""
    # Selenium Manager would look for drivers online; the paths are given.
    os.environ["SE_AVOID_STATS"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1000", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-features=Translate,OptimizationHints,MediaRouter"):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER, log_output=str(DATA / "chromedriver.log")))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            driver.save_screenshot(str(SCREENSHOTS / f"{request.node.name}.png"))
        finally:
            driver.quit()


@pytest.fixture
def browser(request):
    yield from chromium(request)


@pytest.fixture
def plain_browser(request):
    """A browser with JavaScript turned off."""
    yield from chromium(request, javascript=False)
