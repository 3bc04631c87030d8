"""Reads deploy/compose.yaml the way Docker Compose does, so that
scripts/compose-local can start the same topology as processes on
127.0.0.1, with the same settings, in the same order.

What it follows from Compose: YAML anchors and merge keys (`<<: *registry`),
COMPOSE_FILE (one file), the `.env` file beside it and the shell's environment for
interpolation (`$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
`${VAR:?message}`, `${VAR?message}`, `${VAR:+other}`, `${VAR+other}`,
nested), a service's environment as its container sees it (the image's
ENV lines from deploy/Dockerfile, then the service's `environment`; a key
without a value is taken from the shell), `deploy.replicas`, `depends_on`
with `condition: service_healthy`, health checks (command, interval,
retries, start period) and the nginx service's published port and mounted
configuration. Anything else the registry's compose file does not use.

    python3 compose_topology.py levels           services to start together, one group a line
    python3 compose_topology.py replicas SERVICE
    python3 compose_topology.py binary SERVICE   the executable the service's command runs
    python3 compose_topology.py health SERVICE   "PATH SECONDS TIMEOUT": the check's URL path, how long
                                                 compose waits before calling the service unhealthy,
                                                 and how long one check may take
    python3 compose_topology.py value SERVICE KEY  one environment value (such as POSTGRES_USER)
    python3 compose_topology.py published SERVICE  the host port the service publishes
    python3 compose_topology.py env SERVICE [--map NAME:PORT=HOST:PORT] [--path FROM=TO] [--set KEY=VALUE]
        the service's environment, NUL-separated, with names and paths mapped
    python3 compose_topology.py nginx --listen PORT --prefix DIR --upstream NAME=HOST:PORT,...
        the nginx service's configuration for loopback (see render_nginx)
    python3 compose_topology.py kafka-ready HOST:PORT
        the kafka service's health check: the broker answers ApiVersions
"""

import argparse
import os
import re
import socket
import struct
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


class ComposeError(Exception):
    """The compose file asks for something this runner cannot give."""


# Interpolation -----------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def interpolate(text, environ):
    """Compose's interpolation of one string value."""
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char != "$":
            out.append(char)
            index += 1
            continue
        following = text[index + 1:index + 2]
        if following == "$":
            out.append("$")
            index += 2
        elif following == "{":
            value, index = _braced(text, index + 2, environ)
            out.append(value)
        else:
            match = _NAME.match(text, index + 1)
            if match:
                out.append(environ.get(match.group(0), ""))
                index = match.end()
            else:
                out.append("$")
                index += 1
    return "".join(out)


def _braced(text, start, environ):
    """`${...}` from just after the brace: its value and the index after it."""
    match = _NAME.match(text, start)
    if not match:
        raise ComposeError(f"invalid interpolation format in {text!r}")
    name, index = match.group(0), match.end()
    operator = ""
    for candidate in (":-", ":?", ":+", "-", "?", "+"):
        if text.startswith(candidate, index):
            operator, index = candidate, index + len(candidate)
            break
    depth, argument_start = 1, index
    while index < len(text) and depth:
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
        index += 1
    if depth:
        raise ComposeError(f"unclosed ${{ in {text!r}")
    if not operator and index - 1 != argument_start:
        raise ComposeError(f"invalid interpolation format in {text!r}")
    argument = text[argument_start:index - 1]
    value = environ.get(name)
    unset = value is None
    empty = unset or value == ""
    if operator in (":-", "-"):
        return (interpolate(argument, environ) if (empty if operator == ":-" else unset) else value), index
    if operator in (":?", "?"):
        if empty if operator == ":?" else unset:
            raise ComposeError(f"required variable {name} is missing a value: {interpolate(argument, environ)}")
        return value, index
    if operator in (":+", "+"):
        return ("" if (empty if operator == ":+" else unset) else interpolate(argument, environ)), index
    return value or "", index


def _interpolated(node, environ):
    if isinstance(node, str):
        return interpolate(node, environ)
    if isinstance(node, list):
        return [_interpolated(item, environ) for item in node]
    if isinstance(node, dict):
        return {key: _interpolated(value, environ) for key, value in node.items()}
    return node


def dotenv(path):
    """KEY=VALUE lines of a compose `.env` file (quotes stripped)."""
    values = {}
    if not Path(path).is_file():
        return values
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def compose_file(environ=None):
    """deploy/compose.yaml, or the one file COMPOSE_FILE names, as compose reads it."""
    named = (os.environ if environ is None else environ).get("COMPOSE_FILE")
    if not named:
        return COMPOSE
    if os.pathsep in named:
        raise ComposeError("COMPOSE_FILE names several files; this runner reads one")
    return Path(named)


def load(environ=None, path=None):
    """The compose file with anchors and merge keys resolved and every value
    interpolated: the shell's environment wins over the `.env` file."""
    path = Path(path) if path is not None else compose_file(environ)
    variables = dotenv(path.parent / ".env")
    variables.update(os.environ if environ is None else environ)
    document = yaml.safe_load(path.read_text())
    document = _interpolated(document, variables)
    document["_variables"] = variables
    document["_directory"] = str(path.parent)
    return document


# Services ----------------------------------------------------------------

def service(document, name):
    try:
        return document["services"][name]
    except KeyError:
        raise ComposeError(f"compose.yaml has no service {name}") from None


def replicas(document, name):
    return int((service(document, name).get("deploy") or {}).get("replicas", 1))


def dependencies(document, name):
    """The services `name` waits for, each with its condition."""
    declared = service(document, name).get("depends_on") or {}
    if isinstance(declared, list):
        return {dependency: "service_started" for dependency in declared}
    return {dependency: (options or {}).get("condition", "service_started") for dependency, options in declared.items()}


def levels(document):
    """The services in groups: each group depends only on earlier ones, so
    its services start together once the earlier groups are healthy, as
    `docker compose up` starts them."""
    remaining = list(document["services"])
    done, groups = set(), []
    while remaining:
        group = [name for name in remaining if set(dependencies(document, name)) <= done]
        if not group:
            raise ComposeError(f"a dependency cycle among {', '.join(remaining)}")
        groups.append(group)
        done.update(group)
        remaining = [name for name in remaining if name not in done]
    return groups


def binary(document, name):
    """The executable of the service's command, such as image-ingest for
    ["/app/image-ingest"]."""
    command = service(document, name).get("command")
    if isinstance(command, str):
        command = command.split()
    if not command:
        raise ComposeError(f"{name}: no command")
    return Path(command[0]).name


def _seconds(value, default):
    """A compose duration such as 5s, 1m30s or 500ms, in seconds."""
    if value is None:
        return default
    total = 0.0
    for amount, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)", str(value)):
        total += float(amount) * {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[unit]
    return total


def health(document, name):
    """(URL path, seconds, timeout): a curl health check's path; how long
    compose lets it fail before the service is unhealthy and `up` gives up
    on what depends on it (the start period, then `retries` failures
    `interval` apart); and how long one check may take."""
    check = service(document, name).get("healthcheck") or {}
    path = None
    for word in check.get("test") or []:
        match = re.match(r"https?://[^/\s]+(/\S*)", str(word))
        if match:
            path = match.group(1)
    limit = _seconds(check.get("start_period"), 0) + _seconds(check.get("interval"), 30) * int(check.get("retries", 3))
    return path, int(limit), max(1, int(_seconds(check.get("timeout"), 30)))


def published(document, name):
    """The host port of the service's first published port."""
    for port in service(document, name).get("ports") or []:
        if isinstance(port, dict):
            return int(port["published"])
        parts = str(port).split(":")
        return int(parts[-2] if len(parts) > 1 else parts[-1])
    raise ComposeError(f"{name} publishes no port")


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


def declared_environment(document, name):
    """The service's `environment` as compose passes it: a key without a
    value takes the shell's value, or is left out when the shell has none."""
    declared = service(document, name).get("environment") or {}
    if isinstance(declared, list):
        declared = dict(item.partition("=")[::2] if "=" in item else (item, None) for item in declared)
    values = {}
    for key, value in declared.items():
        if value is None:
            if key in document.get("_variables", {}):
                values[key] = document["_variables"][key]
        else:
            values[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def environment(document, name, maps=(), paths=(), settings=(), image=None):
    """The service's environment as its container sees it (the image's ENV,
    then compose's), with `maps` ("NAME:PORT" -> "HOST:PORT") applied where
    the name is a whole host and container `paths` mapped to local ones;
    `settings` (key, value), written in the container's terms, set first and
    mapped alike. Refuses a value that still names another
    compose service: that host would not resolve here."""
    values = dict(image_environment() if image is None else image)
    values.update(declared_environment(document, name))
    values.update(settings)
    for key, value in values.items():
        for source, target in maps:
            value = re.sub(rf"(?<![\w.-]){re.escape(source)}(?![\w])", target, value)
        for source, target in paths:
            source = source.rstrip("/")
            if value == source or value.startswith(source + "/"):
                value = target + value[len(source):]
        values[key] = value
    hosts = "|".join(re.escape(other) for other in document.get("services", {}))
    for key, value in values.items():
        if hosts and re.search(rf"(?<![\w.-])(?:{hosts}):\d+", value):
            raise ComposeError(f"{name}: {key}={value} names a compose service this runner does not map")
    return values


# The kafka service's health check ----------------------------------------

def kafka_ready(address, timeout=5.0):
    """True when the broker at HOST:PORT answers an ApiVersions request
    without an error: what kafka-broker-api-versions.sh, the compose
    health check, asks."""
    host, _, port = address.rpartition(":")
    client = b"compose-local"
    # Request header v1 (api key 18, version 0, correlation id 1, client id); empty body.
    request = struct.pack(">hhih", 18, 0, 1, len(client)) + client
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as connection:
            connection.sendall(struct.pack(">i", len(request)) + request)
            answer = b""
            while len(answer) < 10:
                chunk = connection.recv(4096)
                if not chunk:
                    return False
                answer += chunk
    except OSError:
        return False
    _, correlation, error = struct.unpack(">iih", answer[:10])
    return correlation == 1 and error == 0


# nginx -------------------------------------------------------------------

def nginx_source(document, name="nginx"):
    """The file compose mounts as the nginx service's nginx.conf."""
    for volume in service(document, name).get("volumes") or []:
        source, _, target = str(volume).partition(":")
        if target.split(":")[0] == "/etc/nginx/nginx.conf":
            return (Path(document.get("_directory", COMPOSE.parent)) / source).resolve()
    raise ComposeError(f"{name} mounts no /etc/nginx/nginx.conf")


def render_nginx(text, listen, prefix, upstreams, source="deploy/nginx.conf"):
    """The compose balancer's nginx.conf for processes on loopback.

    In compose, nginx asks Docker's DNS (resolver 127.0.0.11) at request
    time for `ingest` and `projector`, and each name has one address per
    replica, all on the same port. Here every replica is 127.0.0.1 with a
    port of its own, which DNS cannot express. So the resolver lines go,
    each `NAME:PORT` the method map names becomes plain `NAME`, and an
    `upstream NAME` block lists the replicas' loopback ports: the map's
    value still names the upstream proxy_pass uses (nginx takes a
    variable's value as an upstream group's name before it would resolve
    it), and round-robin over the group's servers is what nginx does over
    the several addresses a name resolves to. Also: `listen PORT` becomes
    `listen 127.0.0.1:LISTEN`, nginx stays in the foreground (compose's
    image runs it with `daemon off`), and the pid file and temporary folders
    go under `prefix`. The method map, the /metrics refusal, the proxy
    settings and the logs (stdout and stderr) are the file's own."""
    text, count = re.subn(r"^[ \t]*resolver(_timeout)?\s[^;]*;\n", "", text, flags=re.MULTILINE)
    if count == 0:
        raise ComposeError("nginx.conf has no resolver: the mapping below no longer fits it")
    for name in upstreams:
        text, count = re.subn(rf"(\s){re.escape(name)}:\d+;", rf"\1{name};", text)
        if count == 0:
            raise ComposeError(f"nginx.conf sends nothing to {name}")
    leftover = re.search(r"\s([a-z][\w-]*):\d+;", text)
    if leftover:
        raise ComposeError(f"nginx.conf sends requests to {leftover.group(1)}, which has no replicas here")
    text, count = re.subn(r"(\blisten\s+)\d+;", rf"\g<1>127.0.0.1:{listen};", text)
    if count != 1:
        raise ComposeError("nginx.conf must listen on exactly one port")
    note = ("    # compose-local: the replicas of each compose service by loopback port,\n"
            "    # instead of Docker's DNS (scripts/lib/compose_topology.py, render_nginx).\n")
    blocks = "".join(
        f"    upstream {name} {{\n" + "".join(f"        server {server};\n" for server in servers) + "    }\n"
        for name, servers in upstreams.items())
    paths = "".join(f"    {kind}_temp_path {prefix}/{kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    if "http {\n" not in text:
        raise ComposeError("nginx.conf has no http block")
    text = text.replace("http {\n", "http {\n" + note + blocks + paths, 1)
    return f"# Rendered by scripts/compose-local from {source}.\npid {prefix}/nginx.pid;\ndaemon off;\n" + text



# Command line ------------------------------------------------------------

def _pairs(values, separator="="):
    pairs = []
    for value in values:
        source, found, target = value.partition(separator)
        if not found:
            raise SystemExit(f"expected FROM{separator}TO, got {value}")
        pairs.append((source, target))
    return pairs


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("levels")
    for name in ("replicas", "binary", "health", "published"):
        commands.add_parser(name).add_argument("service")
    value = commands.add_parser("value")
    value.add_argument("service")
    value.add_argument("key")
    env = commands.add_parser("env")
    env.add_argument("service")
    env.add_argument("--map", action="append", default=[])
    env.add_argument("--path", action="append", default=[])
    env.add_argument("--set", action="append", default=[])
    nginx = commands.add_parser("nginx")
    nginx.add_argument("--listen", type=int, required=True)
    nginx.add_argument("--prefix", required=True)
    nginx.add_argument("--upstream", action="append", default=[])
    kafka = commands.add_parser("kafka-ready")
    kafka.add_argument("address")
    arguments = parser.parse_args(argv)
    if arguments.command == "kafka-ready":
        sys.exit(0 if kafka_ready(arguments.address) else 1)
    try:
        document = load()
        if arguments.command == "levels":
            print("\n".join(" ".join(group) for group in levels(document)))
        elif arguments.command == "replicas":
            print(replicas(document, arguments.service))
        elif arguments.command == "binary":
            print(binary(document, arguments.service))
        elif arguments.command == "health":
            path, limit, timeout = health(document, arguments.service)
            print(path or "-", limit, timeout)
        elif arguments.command == "published":
            print(published(document, arguments.service))
        elif arguments.command == "value":
            print(declared_environment(document, arguments.service)[arguments.key])
        elif arguments.command == "env":
            values = environment(document, arguments.service, _pairs(arguments.map), _pairs(arguments.path),
                                 _pairs(arguments.set))
            sys.stdout.write("".join(f"{key}={value}\0" for key, value in values.items()))
        else:
            upstreams = {name: servers.split(",") for name, servers in _pairs(arguments.upstream)}
            source = nginx_source(document)
            sys.stdout.write(render_nginx(source.read_text(), arguments.listen, arguments.prefix, upstreams,
                                          os.path.relpath(source, ROOT)))
    except ComposeError as error:
        raise SystemExit(f"compose.yaml: {error}") from None


if __name__ == "__main__":
    main(sys.argv[1:])
