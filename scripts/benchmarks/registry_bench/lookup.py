"""GET /v1/resolve against a bare route and an indexed select, at the
seeded size and after the read model grows."""

import re
import subprocess

from .infra import READ_MODEL_ENV, psql
from .load import wrk


def measure(s, results, label, position):
    """GET /v1/resolve vs a bare route in the same binary vs an indexed select in PostgreSQL.

    `resolve` is what the scheduler gets (the replica's cache answers repeated
    names); `resolve_uncached` names a position already reached (`after=`),
    which bypasses the cache, so every request reads PostgreSQL."""
    lookup = f"{s.projector}/v1/resolve?driver=qemu&image=img{s.images // 2}&user=bench"
    resolve = wrk(s, lookup, headers=[f"Authorization: Bearer {s.reader}"])
    uncached = wrk(s, f"{lookup}&after={position}", headers=[f"Authorization: Bearer {s.reader}"])
    bare = wrk(s, f"{s.projector}/healthz")
    select = s.data / "select.sql"
    select.write_text(f"\\set n random(0, {s.images - 1})\n"
                      "SELECT id, location, sha256, size, version FROM images "
                      "WHERE owner = 'bench' AND namespace_path IS NULL AND name = 'img' || :n "
                      "AND deleted_at IS NULL ORDER BY version DESC LIMIT 1;\n")
    output = subprocess.run(["pgbench", "-h", "127.0.0.1", "-p", str(s.postgres_port), "-U", "registry", "-n",
                             "-c", str(s.connections), "-j", "2", "-T", str(s.seconds), "-f", str(select), "bench"],
                            check=True, capture_output=True, text=True, env=READ_MODEL_ENV).stdout
    pk_rate = float(re.search(r"tps = ([\d.]+)", output).group(1))
    results["figures"][f"lookup_{label}"] = {"resolve": resolve, "resolve_uncached": uncached, "bare_route": bare,
                                             "indexed_select_per_second": pk_rate}
    if label == "seeded":
        results["ratios"]["resolve_vs_bare_route"] = resolve["requests_per_second"] / bare["requests_per_second"]
        results["ratios"]["resolve_vs_pk_select"] = resolve["requests_per_second"] / pk_rate


def grow_read_model(s, total):
    """Adds rows straight to the read model (not through the log) until it
    holds `total` image versions, to see how lookups scale with its size."""
    existing = int(psql(s, "bench", "SELECT count(*) FROM images"))
    psql(s, "bench", f"""
        INSERT INTO images (id, source, owner, namespace_path, name, version, driver, location, sha256, size,
                            created_at, created_by, event_id)
        SELECT gen_random_uuid(), 'custom', 'scale' || (n % 5000), NULL, 'img' || n, 1, 'qemu',
               'file:///var/lib/djinn/images/s' || n || '.qcow2', repeat('a', 64), 1, now(), 'bench', gen_random_uuid()
        FROM generate_series(1, {max(0, total - existing)}) AS n;
        ANALYZE images;""")
