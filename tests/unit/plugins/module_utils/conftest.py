# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""A scripted HTTP server on 127.0.0.1 for the HTTP-level tests, and no proxies from the environment."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Reply:
    """One scripted answer.

    ``body``: bytes, str, or any other value (sent as JSON). ``delay``: seconds to wait first.
    ``declared_length``: a Content-Length to announce instead of the real one (to cut a body off).
    """

    def __init__(self, status=200, body=b"", headers=None, delay=0.0, declared_length=None,
                 content_type="application/json"):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.headers = dict(headers or {})
        if content_type and "Content-Type" not in self.headers:
            self.headers["Content-Type"] = content_type
        self.delay = delay
        self.declared_length = declared_length


def envelope(data=None, status=200, trace_id="0123456789abcdef", **extra):
    body = {"successful": 200 <= status < 300, "status": status, "timestamp": "2024-08-09T15:47:50.451+08:00",
            "duration": 3, "traceId": trace_id}
    if data is not None:
        body["data"] = data
    body.update(extra)
    return body


def error_envelope(status, error, trace_id="0123456789abcdef"):
    return envelope(status=status, trace_id=trace_id, error=error)


class Seen:
    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        self.path, _sep, self.query = target.partition("?")
        self.headers = headers
        self.body = body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: simple and deterministic

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server.scripted
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, dict(self.headers.items()), body)
        with server.lock:
            server.requests.append(seen)
        reply = server.next_reply(seen)
        if reply.delay:
            time.sleep(reply.delay)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        length = reply.declared_length if reply.declared_length is not None else len(reply.body)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()

    do_POST = do_GET


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up (timeout) makes the write fail: expected, keep quiet


class ScriptedServer:
    """Answers from a queue of Replies, or from ``respond(seen) -> Reply`` when set.

    The helpers are reachable from the fixture (``server.Reply``, ``server.envelope``,
    ``server.error_envelope``) so that test modules never import this conftest.
    """

    Reply = Reply
    envelope = staticmethod(envelope)
    error_envelope = staticmethod(error_envelope)

    def __init__(self):
        self.lock = threading.Lock()
        self.replies = []
        self.respond = None
        self.requests = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.scripted = self
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def queue(self, *replies):
        with self.lock:
            self.replies.extend(replies)

    def next_reply(self, seen):
        if self.respond is not None:
            return self.respond(seen)
        with self.lock:
            if self.replies:
                return self.replies.pop(0)
        return Reply(599, {"error": {"message": "the test scripted no reply for %s" % seen.target}})

    def close(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def server():
    scripted = ScriptedServer()
    yield scripted
    scripted.close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # requests honours *_PROXY variables (trust_env): a CI proxy must not intercept 127.0.0.1.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


class FakeTime:
    """A clock that only moves when slept on; records every sleep."""

    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()
