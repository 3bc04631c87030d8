"""From the ingest's acknowledgement of an event to a webhook receiver on
127.0.0.1 having it, next to the same run's freshness (acknowledgement to
resolvable), which every delivery waits for first."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from .freshness import percentiles


class Receiver:
    """A webhook receiver that notes when each event's first delivery came."""

    def __init__(self):
        arrivals = self.arrivals = {}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                event = json.loads(body).get("event", {}).get("id", "").lower()
                arrivals.setdefault(event, time.perf_counter())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *arguments):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self):
        self.server.shutdown()


def measure(s, results, samples=200):
    """One namespace created at a time under a namespace with a webhook."""
    receiver = Receiver()
    session = requests.Session()
    owner = s.token("hooks", ["namespace:write", "namespace:read"])
    headers = {"Authorization": f"Bearer {owner}"}
    try:
        session.post(f"{s.ingest}/v1/namespaces", params={"wait": "true"}, json={"path": "hooked"}, headers=headers,
                     timeout=30).raise_for_status()
        session.post(f"{s.ingest}/v1/namespaces/hooks/hooked/webhooks", params={"wait": "true"},
                     json={"url": receiver.url, "events": ["namespaces"]}, headers=headers, timeout=30).raise_for_status()
        latencies = []
        for index in range(samples):
            answer = session.post(f"{s.ingest}/v1/namespaces", json={"path": f"hooked/n{index}"}, headers=headers,
                                  timeout=30)
            answer.raise_for_status()
            acknowledged = time.perf_counter()
            event = answer.json()["event"]["id"].lower()
            while event not in receiver.arrivals:
                if time.perf_counter() - acknowledged > 30:
                    raise RuntimeError(f"event {event} was not delivered 30 s after its acknowledgement")
                time.sleep(0.001)
            latencies.append((receiver.arrivals[event] - acknowledged) * 1000)
    finally:
        receiver.stop()
    results["webhooks"] = dict(zip(("p50_ms", "p99_ms"), percentiles(latencies)))
