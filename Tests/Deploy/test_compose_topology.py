"""scripts/lib/compose_topology.py reads deploy/compose.yaml as Docker
Compose does; these tests need no services and run in well under a second."""

import socket
import struct
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import compose_topology as topology  # noqa: E402

SECRET = {"IMAGE_REGISTRY_JWT_SECRET": "s" * 40}
MAPS = [("postgres:5432", "127.0.0.1:1"), ("kafka:9092", "127.0.0.1:2"), ("nginx:8000", "127.0.0.1:8")]
PATHS = [("/var/lib/djinn/images", "/data"), ("/app/migrations", "/src/migrations")]


@pytest.mark.parametrize("text, environ, expected", [
    ("${A}", {"A": "1"}, "1"),
    ("${A}", {}, ""),
    ("$A-x", {"A": "1"}, "1-x"),
    ("${A:-d}", {"A": ""}, "d"),
    ("${A-d}", {"A": ""}, ""),
    ("${A-d}", {}, "d"),
    ("${A:-${B:-inner}}", {}, "inner"),
    ("${A:+set}", {"A": "1"}, "set"),
    ("${A:+set}", {"A": ""}, ""),
    ("${A+set}", {"A": ""}, "set"),
    ("${A:?no}", {"A": "v"}, "v"),
    ("$${CLUSTER_ID}", {"CLUSTER_ID": "x"}, "${CLUSTER_ID}"),
    ("a$$b", {}, "a$b"),
    ("cost: 5$", {}, "cost: 5$"),
])
def test_interpolation_follows_compose(text, environ, expected):
    assert topology.interpolate(text, environ) == expected


@pytest.mark.parametrize("text, environ", [("${A:?say why}", {"A": ""}), ("${A?say why}", {})])
def test_a_required_variable_that_is_missing_is_an_error_with_its_message(text, environ):
    with pytest.raises(topology.ComposeError, match="A is missing a value: say why"):
        topology.interpolate(text, environ)


def test_the_compose_file_needs_the_jwt_secret():
    with pytest.raises(topology.ComposeError, match="IMAGE_REGISTRY_JWT_SECRET"):
        topology.load({})


def test_the_shell_wins_over_the_env_file_beside_the_compose_file(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    environment:\n      X: ${X}\n      Y: ${Y}\n")
    (tmp_path / ".env").write_text("# comment\nX=from-file\nY='quoted'\n")
    document = topology.load({"X": "from-shell"}, tmp_path / "compose.yaml")
    assert topology.declared_environment(document, "a") == {"X": "from-shell", "Y": "quoted"}


def test_each_service_gets_the_images_env_then_the_shared_environment_with_names_and_paths_mapped():
    document = topology.load(dict(SECRET, POSTGRES_PASSWORD="pw"))
    for service in ("ingest", "projector"):
        values = topology.environment(document, service, MAPS, PATHS,
                                      [("IMAGE_REGISTRY_FILE_ROOTS", "/var/lib/djinn/images")])
        assert values["IMAGE_REGISTRY_DATABASE_URL"] == "postgres://registry:pw@127.0.0.1:1/registry"
        assert values["IMAGE_REGISTRY_KAFKA_BROKERS"] == "127.0.0.1:2"
        assert values["IMAGE_REGISTRY_BLOB_DIR"] == "/data/blobs"
        assert values["IMAGE_REGISTRY_BASE_IMAGES_DIR"] == "/data/base"
        assert values["IMAGE_REGISTRY_FILE_ROOTS"] == "/data"
        assert values["IMAGE_REGISTRY_MIGRATIONS_DIR"] == "/src/migrations"
        assert values["IMAGE_REGISTRY_TOPIC_PARTITIONS"] == "12"
        assert values["IMAGE_REGISTRY_JWT_SECRET"] == SECRET["IMAGE_REGISTRY_JWT_SECRET"]
        # The Dockerfile's ENV, which compose's environment does not override.
        assert values["IMAGE_REGISTRY_HOST"] == "0.0.0.0"
    # The projectors' dashboard sends commands through the balancer.
    projector = topology.environment(document, "projector", MAPS, PATHS)
    assert projector["IMAGE_REGISTRY_DASHBOARD_INGEST_URL"] == "http://127.0.0.1:8"
    assert "IMAGE_REGISTRY_DASHBOARD_INGEST_URL" not in topology.environment(document, "ingest", MAPS, PATHS)


def test_a_service_name_left_unmapped_is_refused():
    document = topology.load(SECRET)
    with pytest.raises(topology.ComposeError, match="IMAGE_REGISTRY_KAFKA_BROKERS=kafka:9092"):
        topology.environment(document, "ingest", MAPS[:1], PATHS)


def test_a_name_is_mapped_only_where_it_is_a_whole_host():
    document = {"services": {"s": {"environment": {"A": "xkafka:9092", "B": "kafka:9092,kafka:90921"}}}}
    values = topology.environment(document, "s", maps=[("kafka:9092", "h:1")], image={})
    assert values == {"A": "xkafka:9092", "B": "h:1,kafka:90921"}


def test_a_key_without_a_value_comes_from_the_shell_or_is_left_out():
    document = {"services": {"s": {"environment": {"FROM_SHELL": None, "ABSENT": None, "FLAG": True}}},
                "_variables": {"FROM_SHELL": "yes"}}
    assert topology.declared_environment(document, "s") == {"FROM_SHELL": "yes", "FLAG": "true"}


def test_replicas_commands_ports_and_health_checks_come_from_the_file():
    document = topology.load(dict(SECRET, REGISTRY_PORT="18600"))
    assert topology.replicas(document, "ingest") == 2 and topology.replicas(document, "projector") == 2
    assert topology.replicas(document, "nginx") == 1
    assert topology.binary(document, "ingest") == "image-ingest"
    assert topology.binary(document, "projector") == "image-projector"
    assert topology.published(document, "nginx") == 18600
    assert topology.published(topology.load(SECRET), "nginx") == 8000
    # start_period 60s, then 3 failures 5s apart.
    assert topology.health(document, "projector") == ("/readyz", 75, 3)
    assert topology.health(document, "postgres") == (None, 70, 5)
    assert topology.nginx_source(document) == ROOT / "deploy" / "nginx.conf"


def test_services_start_in_groups_after_what_they_depend_on():
    assert topology.levels(topology.load(SECRET)) == [["postgres", "kafka"], ["ingest", "projector"], ["nginx"]]


def test_a_dependency_cycle_is_refused():
    document = {"services": {"a": {"depends_on": ["b"]}, "b": {"depends_on": {"a": {"condition": "service_healthy"}}}}}
    with pytest.raises(topology.ComposeError, match="cycle"):
        topology.levels(document)


UPSTREAMS = {"ingest": ["127.0.0.1:1", "127.0.0.1:2"], "projector": ["127.0.0.1:3"]}


def test_nginx_keeps_the_routing_the_metrics_refusal_and_the_proxy_settings_and_lists_the_replicas():
    original = (ROOT / "deploy" / "nginx.conf").read_text()
    rendered = topology.render_nginx(original, 18600, "/run/n", UPSTREAMS)
    assert "resolver" not in rendered
    assert "listen 127.0.0.1:18600;" in rendered
    assert "upstream ingest {\n        server 127.0.0.1:1;\n        server 127.0.0.1:2;\n    }" in rendered
    assert "POST ingest;" in rendered and "default projector;" in rendered and "DELETE ingest;" in rendered
    # The dashboard's pages and forms go to the projectors whatever the method.
    assert "set $dashboard_upstream projector;" in rendered
    assert rendered.startswith("# Rendered by scripts/compose-local from deploy/nginx.conf.\npid /run/n/nginx.pid;\n")
    # Every line of the file that is not about names, resolving or the port is kept as it is.
    kept = [line for line in original.splitlines()
            if "resolver" not in line and not line.strip().startswith(("listen", "default", "POST", "PUT", "PATCH",
                                                                          "DELETE", "set $dashboard_upstream"))]
    assert all(line in rendered.splitlines() for line in kept)


def test_a_balancer_that_sends_nothing_to_a_service_or_to_an_unknown_one_is_refused():
    original = (ROOT / "deploy" / "nginx.conf").read_text()
    with pytest.raises(topology.ComposeError, match="sends nothing to builder"):
        topology.render_nginx(original, 1, "/p", dict(UPSTREAMS, builder=["127.0.0.1:9"]))
    with pytest.raises(topology.ComposeError, match="sends requests to projector"):
        topology.render_nginx(original, 1, "/p", {"ingest": ["127.0.0.1:1"]})


def _broker(answer):
    """A one-shot server that answers any request with `answer`."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve():
        connection, _ = server.accept()
        with connection:
            connection.recv(4096)
            connection.sendall(answer)
        server.close()
    threading.Thread(target=serve, daemon=True).start()
    return f"127.0.0.1:{server.getsockname()[1]}"


def test_the_kafka_health_check_wants_an_api_versions_answer_without_an_error():
    assert topology.kafka_ready(_broker(struct.pack(">iih", 6, 1, 0)))
    assert not topology.kafka_ready(_broker(struct.pack(">iih", 6, 1, 35)))
    assert not topology.kafka_ready("127.0.0.1:1")
