"""How lookups, ingest and replay move from one replica to two."""

from .infra import create_database, settled_records, start_service, stop, time_replay
from .load import registration_script, wrk


def rate(figure):
    return figure.get("requests_per_second", figure.get("events_per_second"))


def measure(s, results):
    """The same machine with one replica and with two: the load is split
    evenly over the replicas, as a load balancer would."""
    second_projector = start_service(s, "image-projector", "bench", "bench-events", "bench-group", 18484,
                                     s.data / "projector-2.log")
    second_ingest = start_service(s, "image-ingest", "bench", "bench-events", "bench-group", 18485,
                                  s.data / "ingest-2.log")
    try:
        lookup = f"/v1/resolve?driver=qemu&image=img{s.images // 2}&user=bench"
        reader = [f"Authorization: Bearer {s.reader}"]
        script = registration_script(s)
        # Warm the new replicas up (connections, prepared statements, the
        # producer's id) before they are measured, as the first ones were.
        wrk(s, f"http://127.0.0.1:18484{lookup}", headers=reader, seconds=2)
        wrk(s, "http://127.0.0.1:18485/v1/images", script=script, seconds=2)
        figures = {
            "resolve": {"one": wrk(s, f"{s.projector}{lookup}", headers=reader),
                        "two": wrk(s, [f"{s.projector}{lookup}", f"http://127.0.0.1:18484{lookup}"], headers=reader)},
            "ingest": {"one": wrk(s, f"{s.ingest}/v1/images", script=script),
                       "two": wrk(s, [f"{s.ingest}/v1/images", "http://127.0.0.1:18485/v1/images"], script=script)},
        }
    finally:
        stop([second_projector, second_ingest])
    records = settled_records(s)
    replays = {}
    for label, ports in (("one", [18486]), ("two", [18486, 18487])):
        create_database(s, f"replicas_{label}")
        projectors, _, timed, elapsed = time_replay(s, f"replicas_{label}", "bench-events", f"replicas-{label}",
                                                    ports, records)
        stop(projectors)
        replays[label] = {"events_per_second": timed / elapsed}
    figures["replay"] = replays
    for figure in figures.values():
        figure["two_vs_one"] = rate(figure["two"]) / rate(figure["one"])
    results["figures"]["replicas"] = figures
