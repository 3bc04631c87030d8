"""A fresh projector's replay of the topic into empty tables, against COPY
of every row it wrote."""

import time

from .infra import create_database, psql, psql_script, stop, time_replay

# Every table the projection writes, for the COPY baseline.
PROJECTED_TABLES = ("applied_events", "namespaces", "images", "audit_events")


def measure(s, results, topic, records):
    """Replay of the topic into empty tables by a fresh projector vs COPY of every row it wrote."""
    create_database(s, "replay")
    projectors, events, timed, elapsed = time_replay(s, "replay", topic, "replay-group", [18482], records)
    stop(projectors)
    rows = {table: int(psql(s, "replay", f"SELECT count(*) FROM {table}")) for table in PROJECTED_TABLES}
    psql_script(s, "replay", "copy-out", [f"\\copy {table} TO '{s.data / table}.copy'" for table in PROJECTED_TABLES])
    psql(s, "replay", "; ".join(f"CREATE TABLE {table}_copy (LIKE {table} INCLUDING ALL)" for table in PROJECTED_TABLES))
    started = time.time()
    psql_script(s, "replay", "copy-in", [f"\\copy {table}_copy FROM '{s.data / table}.copy'" for table in PROJECTED_TABLES])
    copy_elapsed = time.time() - started
    projected = timed / elapsed
    copied = events / copy_elapsed
    results["figures"]["projection"] = {"events": events, "events_timed": timed, "seconds": elapsed,
                                        "events_per_second": projected, "rows": rows,
                                        "copy_seconds": copy_elapsed, "copy_events_per_second": copied}
    results["ratios"]["projection_vs_copy"] = projected / copied
