"""Shared plumbing of the OCP and obshell simulators: a real HTTP(S) server on loopback, a request
log, counters, a scenario clock and fault injection.

The simulators are a second, independent implementation of each protocol: nothing here imports
from ``plugins/``.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import ssl
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    yaml = None


def load_scenario(path):
    """Read a scenario file (YAML or JSON)."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if path.endswith(".json") or yaml is None:
        return json.loads(text)
    return yaml.safe_load(text)


class Request:
    """One HTTP request as the server received it."""

    def __init__(self, method, target, headers, body, client, connection_id):
        self.method = method
        self.target = target  # raw request target: path plus '?query', encoding as sent
        split = urlsplit(target)
        self.path = split.path
        self.raw_query = split.query
        self.query_pairs = parse_qsl(split.query, keep_blank_values=True)
        self.headers = headers  # email.message.Message: case-insensitive get()
        self.body = body
        self.client = client
        self.connection_id = connection_id

    def query_values(self, key):
        return [value for name, value in self.query_pairs if name == key]

    def header(self, name, default=None):
        return self.headers.get(name, default)


class Response:
    def __init__(self, status, body=b"", headers=None, content_type="application/json"):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.headers = dict(headers or {})
        if content_type and "Content-Type" not in self.headers:
            self.headers["Content-Type"] = content_type

    @classmethod
    def json(cls, status, obj, headers=None):
        return cls(status, json.dumps(obj, sort_keys=False), headers)


class Clock:
    """Scenario time in seconds since the simulator started; tests may shift it."""

    def __init__(self):
        self.started = time.monotonic()
        self.offset = 0.0
        self.skew = 0.0  # seconds the simulated server's wall clock runs ahead of real time

    def elapsed(self):
        return time.monotonic() - self.started + self.offset

    def wall(self):
        return time.time() + self.skew

    def reset(self):
        self.started = time.monotonic()
        self.offset = 0.0


FAULT_KINDS = ("status", "html", "reset", "truncate", "invalid_json", "slow", "empty")


class Fault:
    """One injected fault.

    match:  regular expression searched in the request target (default: every request)
    after:  let this many matching requests through first
    count:  then apply the fault to this many matching requests (0 = for ever)
    kind:   status (``status``, ``body``/``error``, ``headers``), html (an HTML error page with
            ``status``), reset (close the connection without answering), truncate (send half the
            real answer then close), invalid_json (200 with a body that is not JSON), slow (sleep
            ``delay`` seconds, then answer normally), empty (the real status with no body)
    """

    def __init__(self, spec):
        unknown = set(spec) - {"match", "after", "count", "kind", "status", "body", "headers", "delay", "error", "method"}
        if unknown:
            raise ValueError("unknown fault keys: %s" % sorted(unknown))
        self.kind = spec.get("kind", "status")
        if self.kind not in FAULT_KINDS:
            raise ValueError("unknown fault kind %r" % self.kind)
        self.pattern = re.compile(spec.get("match", ""))
        self.method = spec.get("method")
        self.after = int(spec.get("after", 0))
        self.count = int(spec.get("count", 1))
        self.status = int(spec.get("status", 503))
        self.body = spec.get("body")
        self.error = spec.get("error")
        self.headers = dict(spec.get("headers", {}))
        self.delay = float(spec.get("delay", 0))
        self.seen = 0
        self.applied = 0

    def take(self, request):
        if self.method and request.method != self.method:
            return False
        if not self.pattern.search(request.target):
            return False
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.count and self.applied >= self.count:
            return False
        self.applied += 1
        return True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm holds the body
    # back until the client's delayed ACK (~40 ms per request on a keep-alive connection).
    disable_nagle_algorithm = True
    server_version = "oceanbase-ops-simulator"
    sys_version = ""

    def setup(self):
        super().setup()
        # A number per TCP connection (id() of a socket is reused once it is freed).
        self.connection_number = next(self.server.connection_numbers)

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        if self.server.sim.verbose:
            super().log_message(format, *args)

    def _serve(self):
        sim = self.server.sim
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        conn_id = self.connection_number
        request = Request(self.command, self.path, self.headers, body, self.client_address, conn_id)
        fault = sim.pick_fault(request)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
            fault = None
        if fault is not None and fault.kind == "reset":
            sim.record(request, None, fault)
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
            return
        if fault is not None and fault.kind in ("status", "html", "invalid_json"):
            response = sim.fault_response(fault, request)
        else:
            try:
                response = sim.app(request)
            except Exception as exc:  # the simulator must answer, not die, on its own bugs
                response = Response.json(500, {"successful": False, "status": 500, "error": {"message": "simulator error: %r" % exc}})
        if fault is not None and fault.kind == "empty":
            response = Response(response.status, b"", {}, content_type=response.headers.get("Content-Type"))
        sim.record(request, response, fault)
        self.send_response(response.status)
        body = response.body
        for name, value in response.headers.items():
            self.send_header(name, str(value))
        if fault is not None and fault.kind == "truncate":
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: max(1, len(body) // 2)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = _serve
    do_POST = _serve
    do_PUT = _serve
    do_DELETE = _serve
    do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, sim):
        self.sim = sim
        self.connection_numbers = itertools.count(1)
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address):
        """A client that hangs up early (a timeout, a test that stops) is normal here, not news."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


class SimulatorBase:
    """A simulator: subclasses implement ``app(request) -> Response`` and ``fault_response``."""

    name = "simulator"

    def __init__(self, host="127.0.0.1", port=0, tls=None, verbose=False):
        """tls: None, or a dict with certfile, keyfile and optionally cafile + require_client_cert."""
        self.host = host
        self.port = port
        self.tls = tls
        self.verbose = verbose
        self.clock = Clock()
        self.faults = []
        self.lock = threading.RLock()
        self.log = []
        self.counts = Counter()
        self.connections = set()
        self._server = None
        self._thread = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self):
        self._server = _Server((self.host, self.port), self)
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(self.tls["certfile"], self.tls["keyfile"])
            if self.tls.get("require_client_cert"):
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(self.tls["cafile"])
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        # A short poll interval: stop() waits up to one interval for serve_forever() to notice.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        scheme = "https" if self.tls else "http"
        return "%s://%s:%d" % (scheme, self.host, self.port)

    # --- faults and bookkeeping ------------------------------------------------------------
    def add_fault(self, spec):
        with self.lock:
            self.faults.append(Fault(spec))

    def clear_faults(self):
        with self.lock:
            self.faults = []

    def pick_fault(self, request):
        with self.lock:
            for fault in self.faults:
                if fault.take(request):
                    return fault
        return None

    def record(self, request, response, fault):
        with self.lock:
            self.counts[request.path] += 1
            self.counts["*"] += 1
            self.connections.add(request.connection_id)
            self.log.append({
                "time": self.clock.elapsed(),
                "method": request.method,
                "target": request.target,
                "status": response.status if response is not None else None,
                "fault": fault.kind if fault is not None else None,
                "connection": request.connection_id,
            })

    def requests_to(self, path_regex):
        pattern = re.compile(path_regex)
        with self.lock:
            return [entry for entry in self.log if pattern.search(entry["target"])]

    def reset_stats(self):
        with self.lock:
            self.log = []
            self.counts = Counter()
            self.connections = set()

    def app(self, request):  # pragma: no cover - abstract
        raise NotImplementedError

    def fault_response(self, fault, request):
        """The answer for status/html/invalid_json faults; subclasses shape the error envelope."""
        if fault.kind == "html":
            page = "<html><head><title>%d</title></head><body><h1>%d Bad Gateway</h1><hr>nginx</body></html>" % (fault.status, fault.status)
            return Response(fault.status, page, fault.headers, content_type="text/html")
        if fault.kind == "invalid_json":
            return Response(200, fault.body or '{"successful": true, "data": {"contents": [', fault.headers)
        if fault.body is not None:
            body = fault.body if isinstance(fault.body, str) else json.dumps(fault.body)
            return Response(fault.status, body, fault.headers)
        return self.error_response(fault.status, fault.error or "injected fault", fault.headers)

    def error_response(self, status, message, headers=None):  # pragma: no cover - abstract
        raise NotImplementedError
