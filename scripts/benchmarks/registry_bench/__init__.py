"""The measurements of scripts/bench, which starts PostgreSQL and the broker
and exports their ports. Each figure is compared with a baseline measured in
the same run on the same machine. Load runs only hit 127.0.0.1 and end by
themselves.

Modules: `settings` (the run's configuration, read once), `infra`
(PostgreSQL and the services under test), `load` (wrk and its Lua
scripts), one module per measurement, and `report` (targets and output)."""
