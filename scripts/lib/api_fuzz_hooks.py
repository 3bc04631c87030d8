"""Schemathesis hooks for scripts/api-fuzz.

Every route reads a log position to wait for (`?after=` or the
`Registry-Position` header), and list routes read an opaque `cursor`. A
value the fuzzer invents is almost never one the service handed out, so the
route answers 400 before it reaches its own logic (and a well-formed
position usually lies past the log's end: a documented 504 once the wait
bound passes). So three in four generated requests go without each of them.
"""

import schemathesis
from hypothesis import strategies as st

DROPPED = {"query": ("after", "cursor"), "headers": ("registry-position",)}


def _mostly_without(values, names):
    if not values:
        return st.just(values)
    strategy = st.just(dict(values))
    for name in names:
        present = [key for key in values if key.lower() == name]
        if present:
            strategy = strategy.flatmap(
                lambda current, present=present: st.sampled_from(
                    [current] + [{key: value for key, value in current.items() if key not in present}] * 3))
    return strategy


@schemathesis.hook
def flatmap_query(context, query):
    return _mostly_without(query, DROPPED["query"])


@schemathesis.hook
def flatmap_headers(context, headers):
    return _mostly_without(headers, DROPPED["headers"])
