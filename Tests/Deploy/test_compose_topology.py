"""scripts/lib/compose_topology.py reads deploy/compose.yaml as Docker
Compose does; these tests need no services."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import compose_topology as topology  # noqa: E402

SECRET = {"IMAGE_REGISTRY_JWT_SECRET": "s" * 40}


@pytest.mark.parametrize("text, environ, expected", [
    ("${A}", {"A": "1"}, "1"),
    ("${A}", {}, ""),
    ("$A-x", {"A": "1"}, "1-x"),
    ("${A:-d}", {"A": ""}, "d"),
    ("${A-d}", {"A": ""}, ""),
    ("${A-d}", {}, "d"),
    ("${A:?no}", {"A": "v"}, "v"),
    ("$${CLUSTER_ID}", {"CLUSTER_ID": "x"}, "${CLUSTER_ID}"),
    ("a$$b", {}, "a$b"),
])
def test_interpolation_follows_compose(text, environ, expected):
    assert topology.interpolate(text, environ) == expected


@pytest.mark.parametrize("text, environ", [("${A:?say why}", {"A": ""}), ("${A?say why}", {})])
def test_a_required_variable_that_is_missing_is_an_error_with_its_message(text, environ):
    with pytest.raises(topology.ComposeError, match="A: say why"):
        topology.interpolate(text, environ)


def test_the_compose_file_needs_the_jwt_secret():
    with pytest.raises(topology.ComposeError, match="IMAGE_REGISTRY_JWT_SECRET"):
        topology.load({})


def test_each_service_gets_the_shared_environment_and_the_images_env_with_names_and_paths_mapped():
    document = topology.load(dict(SECRET, POSTGRES_PASSWORD="pw"))
    for service in ("ingest", "projector"):
        values = topology.environment(
            document, service, maps=[("postgres:5432", "127.0.0.1:1"), ("kafka:9092", "127.0.0.1:2")],
            paths=[("/var/lib/djinn/images", "/data"), ("/app/migrations", "/src/migrations")])
        assert values["IMAGE_REGISTRY_DATABASE_URL"] == "postgres://registry:pw@127.0.0.1:1/registry"
        assert values["IMAGE_REGISTRY_KAFKA_BROKERS"] == "127.0.0.1:2"
        assert values["IMAGE_REGISTRY_BLOB_DIR"] == "/data/blobs"
        assert values["IMAGE_REGISTRY_MIGRATIONS_DIR"] == "/src/migrations"
        assert values["IMAGE_REGISTRY_JWT_SECRET"] == SECRET["IMAGE_REGISTRY_JWT_SECRET"]
    assert topology.replicas(document, "ingest") == 2 and topology.replicas(document, "projector") == 2
    assert topology.health_path(document, "projector") == "/readyz"


def test_services_start_after_what_they_depend_on():
    order = topology.start_order(topology.load(SECRET))
    assert order.index("postgres") < order.index("ingest") < order.index("nginx")
    assert order.index("kafka") < order.index("projector") < order.index("nginx")


def test_a_name_is_mapped_only_where_it_is_a_whole_host():
    document = {"services": {"s": {"environment": {"A": "xkafka:9092", "B": "kafka:9092,kafka:90921"}}}}
    values = topology.environment(document, "s", maps=[("kafka:9092", "h:1")], image={})
    assert values == {"A": "xkafka:9092", "B": "h:1,kafka:90921"}


def test_nginx_keeps_the_routing_and_the_metrics_refusal_and_lists_the_replicas():
    rendered = topology.render_nginx(
        18600, "/run/n", {"ingest": ["127.0.0.1:1", "127.0.0.1:2"], "projector": ["127.0.0.1:3"]})
    assert "resolver" not in rendered
    assert "listen 127.0.0.1:18600;" in rendered
    assert "upstream ingest {\n        server 127.0.0.1:1;\n        server 127.0.0.1:2;\n    }" in rendered
    assert "POST ingest;" in rendered and "default projector;" in rendered and "DELETE ingest;" in rendered
    assert "location = /metrics" in rendered and "proxy_request_buffering off;" in rendered
    assert rendered.startswith("pid /run/n/nginx.pid;\ndaemon off;\n")


def test_a_balancer_that_sends_nothing_to_a_service_is_refused():
    with pytest.raises(topology.ComposeError, match="sends nothing to builder"):
        topology.render_nginx(1, "/p", {"builder": ["127.0.0.1:1"]})
