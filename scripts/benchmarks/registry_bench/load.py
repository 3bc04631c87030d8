"""wrk load runs and the registrations they send."""

import hashlib
import json
import re
import subprocess
from pathlib import Path

REGISTER_SCRIPT = Path(__file__).resolve().parent / "lua" / "register.lua"


def wrk(settings, urls, headers=(), script=None, seconds=None, connections=None):
    """Loads `urls` (one URL, or one per replica, sharing `connections`
    evenly, run at the same time) and returns the combined rate with the
    slowest replica's latencies. `script` is a (path, arguments) pair; each
    run's arguments start with its own prefix, to keep names apart."""
    urls = [urls] if isinstance(urls, str) else urls
    connections = connections or settings.connections
    command = ["wrk", "-t2", f"-c{connections // len(urls)}", f"-d{seconds or settings.seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(script[0])]
    runs = [subprocess.Popen(command + [url] + (["--", f"r{index}", *script[1]] if script else []),
                             stdout=subprocess.PIPE, text=True) for index, url in enumerate(urls)]
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
    figures = {"requests_per_second": sum(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
                                          for output in outputs),
               "p50_ms": max(percentile(output, "50%") for output in outputs),
               "p99_ms": max(percentile(output, "99%") for output in outputs),
               "non_2xx": sum(non_2xx(output) for output in outputs)}
    # A script that counts every answer other than 200 (lua/status.lua) prints it.
    non_200 = [int(match.group(1)) for output in outputs
               if (match := re.search(r"Non-200 responses: (\d+)", output))]
    if non_200:
        figures["non_200"] = sum(non_200)
    return figures


def registration(name, index):
    """A personal image of user bench at an s3:// location, which only the
    registrar token may register (recorded as unverified)."""
    return {"name": name, "driver": "qemu", "location": f"s3://bench-images/{name}.qcow2",
            "sha256": hashlib.sha256(name.encode()).hexdigest(), "size": 1024 + index}


def registration_script(settings, batch_size=None):
    """The wrk script and its arguments for registering new names, one per
    request or `batch_size` per request (lua/register.lua)."""
    before, after = json.dumps(registration("NAME", 1)).split("NAME", 1)
    arguments = [settings.registrar, before, after] + ([str(batch_size)] if batch_size else [])
    return REGISTER_SCRIPT, arguments
