"""The targets of each ratio, the results file and the printed table."""

import datetime
import json
import os
import platform

# Every ratio's target, in one place (BENCHMARKS.md explains each).
TARGETS = {"resolve_vs_bare_route": 0.6, "resolve_vs_pk_select": 2, "ingest_vs_raw_produce": 0.5,
           "ingest_batch_vs_raw_produce": 0.5, "projection_vs_copy": 0.5, "upload_vs_copy_fsync": 0.6,
           "import_vs_curl_fsync": 0.5, "gc_examined_vs_find": 0.25, "lookup_with_gc_vs_without": 0.8,
           "uploads_with_gc_vs_without": 0.8, "dashboard_vs_json_api": 0.5}


def empty_results(s):
    return {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
            "ratios": {}, "freshness": {}, "figures": {"seeded_images": s.images, "scaled_images": s.scaled_images}}


def write(s, results, chosen, every):
    """Writes bench/results/<UTC timestamp>[-<measurements>].json and prints the table."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    # A run of only some measurements says so in its file name.
    suffix = "" if set(chosen) == set(every) else "-" + "-".join(chosen)
    out = s.root / "bench" / "results" / f"{stamp}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'ratio':<26}{'measured':>10}{'target':>10}")
    for name, target in TARGETS.items():
        if name in results["ratios"]:
            print(f"{name:<26}{results['ratios'][name]:>10.3f}{target:>10}")
    freshness = results["freshness"]
    if freshness:
        print(f"freshness p50 {freshness['p50_ms']:.1f} ms, p99 {freshness['p99_ms']:.1f} ms; broker p50 "
              f"{freshness['broker_p50_ms']:.1f} ms, p99 {freshness['broker_p99_ms']:.1f} ms "
              f"(target p99 <= {2 * freshness['broker_p99_ms'] + 20:.1f} ms)")
    if "webhooks" in results:
        hooks = results["webhooks"]
        print(f"webhook delivery (acknowledged -> received) p50 {hooks['p50_ms']:.1f} ms, p99 {hooks['p99_ms']:.1f} ms")
    print(json.dumps(results["figures"], indent=2))
    print(f"written to {out.relative_to(s.root)}")
