"""Checks a Prometheus text exposition against Prometheus' naming
conventions, as `promtool check metrics` does, with the official client's
parser (prometheus-client). Used by the cluster test on every replica.

    python3 scripts/lib/metrics_conventions.py http://127.0.0.1:8080/metrics
"""

import re
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
LABEL = re.compile(r"^[a-z_][a-z0-9_]*$")
# Units Prometheus wants in their base form.
NON_BASE_UNITS = ("milliseconds", "microseconds", "nanoseconds", "minutes", "hours", "days",
                  "kilobytes", "megabytes", "gigabytes", "bits", "percent")
TIME_WORDS = ("duration", "latency", "elapsed")


def family_name(family):
    """The exposed name: the parser drops a counter's `_total`."""
    return family.name + "_total" if family.type == "counter" else family.name


def problems(text):
    """Every rule the exposition breaks, one line each; empty when it is clean."""
    found = []
    families = list(text_string_to_metric_families(text))
    for family in families:
        name = family_name(family)
        where = f"{name} ({family.type})"
        if not NAME.match(name):
            found.append(f"{where}: the name is not lower-case snake_case")
        if not family.documentation.strip():
            found.append(f"{where}: no HELP text")
        if family.type == "unknown":
            found.append(f"{where}: no TYPE line")
        if family.type != "counter" and name.endswith("_total"):
            found.append(f"{where}: only counters end in _total")
        if family.type == "counter" and not any(s.name.endswith("_total") for s in family.samples):
            found.append(f"{where}: a counter's samples must end in _total")
        for unit in NON_BASE_UNITS:
            if f"_{unit}" in name:
                found.append(f"{where}: use the base unit, not {unit}")
        if family.type == "histogram" and any(word in name for word in TIME_WORDS) and not name.endswith("_seconds"):
            found.append(f"{where}: a duration is measured in seconds and named _seconds")
        if name.startswith("hb_"):
            found.append(f"{where}: a framework prefix, not a name by the conventions")
        for sample in family.samples:
            for label in sample.labels:
                if not LABEL.match(label) or label.startswith("__"):
                    found.append(f"{where}: label {label!r} is not a valid snake_case name")
        if family.type == "histogram":
            suffixes = {sample.name[len(name):] for sample in family.samples}
            for needed in ("_bucket", "_sum", "_count"):
                if family.samples and needed not in suffixes:
                    found.append(f"{where}: a histogram without {needed}")
            if family.samples and not any(s.labels.get("le") == "+Inf" for s in family.samples):
                found.append(f"{where}: a histogram without its +Inf bucket")
    return sorted(set(found))


def names(text):
    """The exposed family names."""
    return {family_name(family) for family in text_string_to_metric_families(text)}


if __name__ == "__main__":
    status = 0
    for url in sys.argv[1:]:
        with urllib.request.urlopen(url, timeout=10) as response:
            text = response.read().decode()
        for problem in problems(text):
            print(f"{url}: {problem}")
            status = 1
        print(f"{url}: {len(names(text))} metric families checked")
    sys.exit(status)
