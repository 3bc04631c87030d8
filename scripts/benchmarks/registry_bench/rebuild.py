"""A live replay of a million synthetic events, then `image-projector
rebuild` of that read model beside it, end to end."""

import subprocess
import time

from .infra import create_database, psql, service_environment, stop, time_replay


def produce_synthetic_images(s, topic, count, partitions=12):
    """Writes `count` image-created events straight to a new topic, as many
    ingest replicas would (1,000 owners, 50 names each), with
    `registry-events`: the services' own CloudEvents codec, so the format
    cannot drift. The measurement checks nothing was dead-lettered."""
    subprocess.run([str(s.bin / "registry-events"), "--brokers", s.kafka, "--topic", topic, "--partitions",
                    str(partitions), "--count", str(count), "--owners", "1000", "--names", "50"],
                   check=True, capture_output=True, text=True)


def measure(s, results):
    count = s.rebuild_events
    topic = "bench-rebuild"
    started = time.time()
    produce_synthetic_images(s, topic, count)
    produced = time.time() - started
    create_database(s, "rebuild")
    projectors, events, timed, elapsed = time_replay(s, "rebuild", topic, "rebuild-group", [18483], count)
    stop(projectors)
    dead = int(psql(s, "rebuild", "SELECT count(*) FROM dead_letters"))
    if events != count or dead:
        raise RuntimeError(f"the replay applied {events} of {count} synthetic events ({dead} dead letters)")
    started = time.time()
    report = subprocess.run([str(s.bin / "image-projector"), "rebuild"], check=True, capture_output=True, text=True,
                            env=service_environment(s, "rebuild", topic, "rebuild-group", 18483))
    rebuild_seconds = time.time() - started
    rebuilt = int(psql(s, "rebuild", "SELECT count(*) FROM images"))
    if rebuilt != count:
        raise RuntimeError(f"the rebuilt read model holds {rebuilt} of {count} images: {report.stderr[-2000:]}")
    results["figures"]["rebuild"] = {"events": count, "produce_seconds": produced, "replay_seconds": elapsed,
                                     "replay_events_per_second": timed / elapsed,
                                     "rebuild_seconds": rebuild_seconds}
