"""Reads deploy/compose.yaml (and the container image's ENV lines in
deploy/Dockerfile) the way Docker Compose does, so that scripts/compose-local
can start the same topology as processes on 127.0.0.1 with the same settings.

Only what the registry's compose file uses is supported: YAML anchors and
merge keys, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
`${VAR?message}` and `$$`, `environment` as a mapping, `deploy.replicas`,
`depends_on` and HTTP health checks run with curl.

    python3 compose_topology.py env SERVICE [--map NAME:PORT=HOST:PORT] [--path FROM=TO]
        the service's environment (image ENV, then compose's), NUL-separated
    python3 compose_topology.py replicas SERVICE
    python3 compose_topology.py health SERVICE      the health check's URL path
    python3 compose_topology.py order               services, dependencies first
    python3 compose_topology.py nginx --listen PORT --prefix DIR --upstream NAME=HOST:PORT,...
        deploy/nginx.conf for loopback (see render_nginx)
"""

import argparse
import os
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
NGINX = ROOT / "deploy" / "nginx.conf"


class ComposeError(Exception):
    """The compose file asks for something this runner cannot give."""


_VARIABLE = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def interpolate(text, environ):
    """Compose's interpolation of one string."""
    def replace(match):
        escaped, name, operator, argument, bare = match.groups()
        if escaped:
            return "$"
        name = name or bare
        value = environ.get(name)
        if operator in (":-", "-"):
            missing = value is None or (operator == ":-" and value == "")
            return argument if missing else value
        if operator in (":?", "?"):
            if value is None or (operator == ":?" and value == ""):
                raise ComposeError(f"{name}: {argument or 'required'}")
            return value
        return value or ""
    return _VARIABLE.sub(replace, text)


def _interpolated(node, environ):
    if isinstance(node, str):
        return interpolate(node, environ)
    if isinstance(node, list):
        return [_interpolated(item, environ) for item in node]
    if isinstance(node, dict):
        return {key: _interpolated(value, environ) for key, value in node.items()}
    return node


def load(environ=None, path=COMPOSE):
    """The compose file, anchors and merge keys resolved, interpolated."""
    document = yaml.safe_load(Path(path).read_text())
    return _interpolated(document, dict(os.environ if environ is None else environ))


def image_environment(path=DOCKERFILE):
    """The ENV settings of the Dockerfile's last stage (the runtime image)."""
    text = Path(path).read_text().replace("\\\n", " ")
    stage = re.split(r"^FROM\s", text, flags=re.MULTILINE)[-1]
    values = {}
    for line in stage.splitlines():
        if line.startswith("ENV "):
            for key, value in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\S+)", line[4:]):
                values[key] = value
    return values


def service(document, name):
    try:
        return document["services"][name]
    except KeyError:
        raise ComposeError(f"compose.yaml has no service {name}") from None


def environment(document, name, maps=(), paths=(), image=None):
    """The service's environment as its container sees it (the image's
    ENV, then compose's `environment`), with `maps` ("NAME:PORT",
    "HOST:PORT") and `paths` (container path, local path) rewritten."""
    values = dict(image_environment() if image is None else image)
    declared = service(document, name).get("environment") or {}
    if not isinstance(declared, dict):
        raise ComposeError(f"{name}: environment must be a mapping")
    values.update({key: "" if value is None else str(value) for key, value in declared.items()})
    for key, value in values.items():
        for source, target in maps:
            value = re.sub(rf"(?<![\w.-]){re.escape(source)}(?![\w])", target, value)
        for source, target in paths:
            if value == source or value.startswith(source.rstrip("/") + "/"):
                value = target + value[len(source):]
        values[key] = value
    return values


def replicas(document, name):
    return int((service(document, name).get("deploy") or {}).get("replicas", 1))


def health_path(document, name):
    """The URL path of a curl health check such as
    ["CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/readyz"]."""
    test = (service(document, name).get("healthcheck") or {}).get("test") or []
    for word in test:
        match = re.match(r"https?://[^/]+(/\S*)", str(word))
        if match:
            return match.group(1)
    raise ComposeError(f"{name}: no HTTP health check")


def start_order(document):
    """Every service after those it depends on."""
    services = document["services"]
    ordered, visiting = [], set()

    def visit(name):
        if name in ordered:
            return
        if name in visiting:
            raise ComposeError(f"a dependency cycle through {name}")
        visiting.add(name)
        for dependency in services[name].get("depends_on") or {}:
            visit(dependency)
        ordered.append(name)

    for name in services:
        visit(name)
    return ordered


def render_nginx(listen, prefix, upstreams, text=None):
    """deploy/nginx.conf for processes on loopback. What changes, and why:

    - Docker's DNS (`resolver 127.0.0.11`) does not exist here, and replicas
      differ by port, not by address: each `NAME:PORT` the method map names
      becomes an `upstream NAME` block listing the replicas, balanced
      round-robin like the addresses Docker's DNS returns for a name;
    - `listen PORT` becomes `listen 127.0.0.1:LISTEN`;
    - the pid file, logs and temporary folders go under `prefix`.

    The method map, the /metrics refusal and every proxy setting stay as
    the file has them."""
    text = NGINX.read_text() if text is None else text
    text = re.sub(r"^\s*resolver(_timeout)?\s[^;]*;\n", "", text, flags=re.MULTILINE)
    for name in upstreams:
        text, count = re.subn(rf"(\s){re.escape(name)}:\d+;", rf"\1{name};", text)
        if count == 0:
            raise ComposeError(f"nginx.conf sends nothing to {name}")
    text, count = re.subn(r"listen\s+\d+;", f"listen 127.0.0.1:{listen};", text)
    if count != 1:
        raise ComposeError("nginx.conf must listen on exactly one port")
    blocks = "".join(
        f"    upstream {name} {{\n" + "".join(f"        server {server};\n" for server in servers) + "    }\n"
        for name, servers in upstreams.items())
    paths = (f"    client_body_temp_path {prefix}/body;\n    proxy_temp_path {prefix}/proxy;\n"
             f"    fastcgi_temp_path {prefix}/fastcgi;\n    uwsgi_temp_path {prefix}/uwsgi;\n"
             f"    scgi_temp_path {prefix}/scgi;\n")
    text = text.replace("http {\n", "http {\n" + paths + blocks, 1)
    text = text.replace("access_log /dev/stdout;", f"access_log {prefix}/access.log;")
    text = re.sub(r"error_log\s+stderr", f"error_log {prefix}/error.log", text)
    return f"pid {prefix}/nginx.pid;\ndaemon off;\n" + text


def _pairs(values, separator):
    pairs = []
    for value in values:
        source, _, target = value.partition(separator)
        if not target:
            raise SystemExit(f"expected FROM{separator}TO, got {value}")
        pairs.append((source, target))
    return pairs


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    env = commands.add_parser("env")
    env.add_argument("service")
    env.add_argument("--map", action="append", default=[])
    env.add_argument("--path", action="append", default=[])
    for name in ("replicas", "health"):
        commands.add_parser(name).add_argument("service")
    commands.add_parser("order")
    nginx = commands.add_parser("nginx")
    nginx.add_argument("--listen", type=int, required=True)
    nginx.add_argument("--prefix", required=True)
    nginx.add_argument("--upstream", action="append", default=[])
    arguments = parser.parse_args(argv)
    try:
        document = load()
        if arguments.command == "env":
            values = environment(document, arguments.service, _pairs(arguments.map, "="), _pairs(arguments.path, "="))
            sys.stdout.write("".join(f"{key}={value}\0" for key, value in values.items()))
        elif arguments.command == "replicas":
            print(replicas(document, arguments.service))
        elif arguments.command == "health":
            print(health_path(document, arguments.service))
        elif arguments.command == "order":
            print(" ".join(start_order(document)))
        else:
            upstreams = {name: servers.split(",") for name, servers in _pairs(arguments.upstream, "=")}
            sys.stdout.write(render_nginx(arguments.listen, arguments.prefix, upstreams))
    except ComposeError as error:
        raise SystemExit(f"compose.yaml: {error}") from None


if __name__ == "__main__":
    main(sys.argv[1:])
