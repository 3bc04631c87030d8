"""A small OTLP/HTTP receiver for traces in the JSON encoding
(OTEL_EXPORTER_OTLP_PROTOCOL=http/json): it keeps every span it is sent,
with the name of the service that sent it, so a test can read whole traces.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class OTLPReceiver:
    """Listens on 127.0.0.1 (port 0: any free port) until `stop()`."""

    def __init__(self):
        self.spans = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path != "/v1/traces":
                    self.send_response(404)
                    self.end_headers()
                    return
                receiver._keep(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _keep(self, request):
        for resource_spans in request.get("resourceSpans", []):
            attributes = {a["key"]: a["value"].get("stringValue")
                          for a in resource_spans.get("resource", {}).get("attributes", [])}
            for scope_spans in resource_spans.get("scopeSpans", []):
                for span in scope_spans.get("spans", []):
                    with self._lock:
                        self.spans.append(dict(span, service=attributes.get("service.name")))

    def trace(self, trace_id):
        """The spans received so far whose trace id (hex) is `trace_id`."""
        with self._lock:
            return [span for span in self.spans if span_id(span["traceId"]) == trace_id]

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


def span_id(value):
    """OTLP/JSON ids are hex strings by the spec; some exporters send base64."""
    if not value:
        return ""
    if all(c in "0123456789abcdefABCDEF" for c in value):
        return value.lower()
    import base64
    return base64.b64decode(value).hex()
