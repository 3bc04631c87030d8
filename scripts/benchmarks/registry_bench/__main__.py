"""Runs the measurements named on the command line (all by default)."""

import subprocess
import sys

from . import dashboard, freshness, gc, imports, ingest, lookup, projection, rebuild, replicas, report, upload, webhooks
from .infra import create_database, settled_records, start_service, stop
from .settings import Settings

MEASUREMENTS = ("lookup", "ingest", "freshness", "webhooks", "upload", "import", "gc", "dashboard", "scaling", "replicas",
                "projection", "rebuild")


def main():
    chosen = sys.argv[1:] or MEASUREMENTS
    unknown = set(chosen) - set(MEASUREMENTS)
    if unknown:
        sys.exit(f"unknown measurement {', '.join(sorted(unknown))}; choose from {', '.join(MEASUREMENTS)}")
    s = Settings.from_environment()
    results = report.empty_results(s)
    create_database(s, "bench")
    subprocess.run(["kcat", "-b", s.kafka, "-L"], check=True, capture_output=True)
    ingest_process = start_service(s, "image-ingest", "bench", "bench-events", "bench-group", s.ingest_port,
                                   s.data / "ingest.log")
    projector_process = start_service(s, "image-projector", "bench", "bench-events", "bench-group",
                                      s.projector_port, s.data / "projector.log")
    try:
        seeded_position = ingest.seed(s, s.images)
        if "lookup" in chosen:
            lookup.measure(s, results, "seeded", seeded_position)
        if "ingest" in chosen:
            ingest.measure(s, results)
        if "freshness" in chosen:
            freshness.measure(s, results)
        if "webhooks" in chosen:
            webhooks.measure(s, results)
        if "upload" in chosen:
            upload.measure(s, results, ingest_process)
        if "import" in chosen:
            imports.measure(s, results)
        if "gc" in chosen:
            gc.measure(s, results)
        if "dashboard" in chosen:
            dashboard.measure(s, results)
        if "scaling" in chosen:
            lookup.grow_read_model(s, s.scaled_images)
            lookup.measure(s, results, "scaled", seeded_position)
        if "replicas" in chosen:
            replicas.measure(s, results)
        records = settled_records(s)
    finally:
        stop([ingest_process, projector_process])
    if "projection" in chosen:
        projection.measure(s, results, "bench-events", records)
    if "rebuild" in chosen:
        rebuild.measure(s, results)
    report.write(s, results, chosen, MEASUREMENTS)


if __name__ == "__main__":
    main()
