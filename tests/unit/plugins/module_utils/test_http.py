# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""The HTTP layer against a real HTTP server on 127.0.0.1 (the ``server`` fixture, see conftest.py)."""

from __future__ import annotations

import random
import socket

import pytest

from ansible_collections.oceanbase.ops.plugins.module_utils._http import ApiError, HttpClient, RetryPolicy

SECRET_AUTH = "Basic c2VjcmV0LXVzZXI6dG9wLXNlY3JldC1wYXNzd29yZA=="  # secret-user:top-secret-password
TINY = dict(backoff=0.001, backoff_max=0.002)


def make_client(url, fake_time=None, retries=0, timeout=5.0, **policy):
    kwargs = {}
    options = dict(TINY)
    if fake_time is not None:
        # Nothing really sleeps: keep the policy's real defaults (Retry-After is capped by them).
        kwargs.update(clock=fake_time.clock, sleep=fake_time.sleep)
        options = {}
    options.update(policy)
    return HttpClient(url, "OCP", timeout=timeout, retry_policy=RetryPolicy(retries=retries, **options), **kwargs)


def get(client, path="/api/v2/things", headers=None, deadline=None):
    return client.call(lambda: client.prepare("GET", path, headers=headers), deadline=deadline)


def raised(client, path="/api/v2/things", headers=None, deadline=None):
    with pytest.raises(ApiError) as info:
        get(client, path, headers, deadline)
    return info.value


# --- envelopes -----------------------------------------------------------------------------------

def test_success_envelope(server):
    data = {"contents": [{"id": 1}], "page": {"number": 1, "size": 1, "totalElements": 1, "totalPages": 1}}
    server.queue(server.Reply(200, server.envelope(data), headers={"X-Extra": "yes"}))
    client = make_client(server.url)
    status, headers, body = get(client, "/api/v2/things", headers={"Accept": "application/json"})
    assert status == 200
    assert headers["X-Extra"] == "yes"
    assert body["data"] == data
    assert body["successful"] is True
    assert client.requests_sent == 1 and client.retries == 0
    assert server.requests[0].path == "/api/v2/things"
    assert server.requests[0].headers["User-Agent"] == "oceanbase.ops"


def test_query_string_goes_on_the_wire_untouched(server):
    server.queue(server.Reply(200, server.envelope({})))
    client = make_client(server.url + "/")
    client.send(client.prepare("GET", "/api/x", "startTime=2024-08-06T08%3A00%3A00%2B08%3A00&status=A%2CB"))
    assert server.requests[0].target == "/api/x?startTime=2024-08-06T08%3A00%3A00%2B08%3A00&status=A%2CB"


def test_error_envelope(server):
    error = {"code": 11001, "message": "The specified cluster with the ID of 9 does not exist."}
    server.queue(server.Reply(400, server.error_envelope(400, error, trace_id="5f3e2d1c0b9a8776")))
    error = raised(make_client(server.url), "/api/v2/ob/clusters/9/backup/task/restoreTasks")
    assert error.kind == "http"
    assert error.status == 400
    assert error.code == 11001
    assert error.api_message == "The specified cluster with the ID of 9 does not exist."
    assert error.trace_id == "5f3e2d1c0b9a8776"
    assert error.method == "GET" and error.path == "/api/v2/ob/clusters/9/backup/task/restoreTasks"
    for part in ("HTTP 400", "code 11001", "does not exist", "5f3e2d1c0b9a8776", "GET /api/v2/ob/clusters/9"):
        assert part in error.message
    assert str(error) == error.message
    assert error.transient is False
    assert error.envelope["error"]["code"] == 11001
    assert error.to_dict() == dict(kind="http", status=400, code=11001, message=error.api_message,
                                   trace_id="5f3e2d1c0b9a8776", method="GET",
                                   path="/api/v2/ob/clusters/9/backup/task/restoreTasks")


def test_string_error_code(server):
    server.queue(server.Reply(401, server.error_envelope(401, {"code": "IAM10000", "message": "not logged in"})))
    error = raised(make_client(server.url))
    assert error.code == "IAM10000"
    assert "code IAM10000" in error.message


def test_code_zero_is_absent(server):
    server.queue(server.Reply(401, server.error_envelope(401, {"code": 0, "message": "Bad credentials"})))
    error = raised(make_client(server.url))
    assert error.code is None
    assert "code" not in error.message.replace("HTTP 401", "")
    assert "Bad credentials" in error.message


def test_empty_trace_id_is_absent(server):
    body = server.error_envelope(429, {"code": 0, "message": "Excessive number of requests."}, trace_id="")
    server.queue(server.Reply(429, body))
    error = raised(make_client(server.url))
    assert error.trace_id is None
    assert "traceId" not in error.message


def test_err_code_is_preferred_over_code(server):
    error = {"code": 10008, "errCode": "Security.Authentication.Expired", "message": "Unauthorized: Authentication expired"}
    server.queue(server.Reply(401, server.error_envelope(401, error)))
    error = raised(make_client(server.url))
    assert error.code == "Security.Authentication.Expired"
    assert "code Security.Authentication.Expired" in error.message
    assert "10008" not in error.message


def test_err_code_without_code(server):
    error = {"errCode": "Common.NotFound", "message": "Element not found: restore task"}
    server.queue(server.Reply(404, server.error_envelope(404, error)))
    error = raised(make_client(server.url))
    assert error.code == "Common.NotFound" and error.status == 404


def test_html_error_page(server):
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
    server.queue(server.Reply(502, page, content_type="text/html"))
    error = raised(make_client(server.url))
    assert error.kind == "http"
    assert error.status == 502
    assert "HTTP 502" in error.message
    assert "text/html" in error.message
    assert "<h1>502 Bad Gateway</h1>" in error.message
    assert error.transient is True


def test_long_html_page_is_cut_to_an_excerpt(server):
    page = "<html><body>" + "\n".join("line %d of a very long proxy error page" % i for i in range(500)) + "</body></html>"
    server.queue(server.Reply(500, page, content_type="text/html"))
    error = raised(make_client(server.url))
    assert "HTTP 500" in error.message
    assert "line 0 of" in error.message
    assert "line 499" not in error.message
    assert len(error.message) < 600
    assert "\n" not in error.message


def test_non_json_success_body_is_a_protocol_error(server):
    server.queue(server.Reply(200, '{"successful": true, "data": {"contents": ['))
    error = raised(make_client(server.url))
    assert error.kind == "protocol"
    assert error.status == 200
    assert "not JSON" in error.message


def test_json_that_is_not_an_object(server):
    server.queue(server.Reply(200, [1, 2, 3]))
    error = raised(make_client(server.url))
    assert error.kind == "protocol"
    assert "list" in error.message


def test_empty_body_on_success(server):
    server.queue(server.Reply(200, b""))
    error = raised(make_client(server.url))
    assert error.kind == "protocol"
    assert error.status == 200
    assert "empty body" in error.message


def test_empty_body_on_error(server):
    server.queue(server.Reply(503, b"", content_type=None))
    error = raised(make_client(server.url))
    assert error.kind == "http"
    assert error.status == 503
    assert "HTTP 503" in error.message and "empty body" in error.message
    assert error.transient is True


def test_truncated_body(server):
    # The server announces 1000 bytes, sends 20 and closes: it did answer (HTTP 200), with a body
    # that was cut off. That is a protocol error with status 200 (ApiError's docstring and
    # HttpClient._read), not "no answer" (network) with no status.
    server.queue(server.Reply(200, b'{"successful": true, "d', declared_length=1000))
    error = raised(make_client(server.url))
    assert error.transient is True
    assert error.kind == "protocol"
    assert error.status == 200
    assert "Could not reach" not in error.message


# --- retries ---------------------------------------------------------------------------------------

def test_503_retried_then_success(server):
    unavailable = server.error_envelope(503, {"code": 0, "message": "Service Unavailable"})
    server.queue(server.Reply(503, unavailable), server.Reply(503, unavailable),
                 server.Reply(200, server.envelope({"ok": True})))
    client = make_client(server.url, retries=2)
    status, _headers, body = get(client)
    assert status == 200 and body["data"] == {"ok": True}
    assert client.retries == 2
    assert client.requests_sent == 3
    assert len(server.requests) == 3


def test_retries_run_out(server):
    unavailable = server.error_envelope(503, {"code": 0, "message": "Service Unavailable"})
    server.queue(*[server.Reply(503, unavailable)] * 3 + [server.Reply(200, server.envelope({}))])
    client = make_client(server.url, retries=2)
    error = raised(client)
    assert error.status == 503
    assert client.requests_sent == 3 and client.retries == 2
    assert len(server.requests) == 3


def test_backoff_doubles_with_jitter_and_is_capped(server, fake_time):
    unavailable = server.error_envelope(503, {"code": 0, "message": "busy"})
    server.queue(*[server.Reply(503, unavailable)] * 4 + [server.Reply(200, server.envelope({}))])
    client = HttpClient(server.url, "OCP", clock=fake_time.clock, sleep=fake_time.sleep,
                        retry_policy=RetryPolicy(retries=4, backoff=1.0, backoff_max=3.0, rng=random.Random(7)))
    get(client)
    ceilings = [1.0, 2.0, 3.0, 3.0]
    assert len(fake_time.sleeps) == 4
    for pause, ceiling in zip(fake_time.sleeps, ceilings):
        assert ceiling / 2 <= pause <= ceiling


def test_retry_after_is_honoured(server, fake_time):
    busy = server.error_envelope(503, {"code": 0, "message": "busy"})
    server.queue(server.Reply(503, busy, headers={"Retry-After": "7"}), server.Reply(200, server.envelope({})))
    client = make_client(server.url, fake_time, retries=2)
    get(client)
    assert fake_time.sleeps == [7.0]
    assert client.retries == 1


def test_retry_after_is_capped(server, fake_time):
    busy = server.error_envelope(503, {"code": 0, "message": "busy"})
    server.queue(server.Reply(503, busy, headers={"Retry-After": "100000"}), server.Reply(200, server.envelope({})))
    client = make_client(server.url, fake_time, retries=2, backoff_max=30.0)
    get(client)
    assert fake_time.sleeps == [120.0]


def test_rate_limit_reset_is_honoured(server, fake_time):
    throttled = server.error_envelope(429, {"code": 0, "message": "Excessive number of requests."}, trace_id="")
    server.queue(server.Reply(429, throttled, headers={"RateLimit-Limit": "10", "RateLimit-Remaining": "0",
                                                       "RateLimit-Reset": "3"}),
                 server.Reply(200, server.envelope({})))
    client = make_client(server.url, fake_time, retries=2)
    get(client)
    assert fake_time.sleeps == [3.0]


def test_retry_after_as_a_date_falls_back_to_backoff(server, fake_time):
    busy = server.error_envelope(503, {"code": 0, "message": "busy"})
    server.queue(server.Reply(503, busy, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
                 server.Reply(200, server.envelope({})))
    client = make_client(server.url, fake_time, retries=1, backoff=0.5, backoff_max=8.0)
    get(client)
    assert len(fake_time.sleeps) == 1
    assert 0.25 <= fake_time.sleeps[0] <= 0.5


def test_401_is_never_retried(server, fake_time):
    server.queue(server.Reply(401, server.error_envelope(401, {"code": 0, "message": "Bad credentials"})),
                 server.Reply(200, server.envelope({})))
    client = make_client(server.url, fake_time, retries=5)
    error = raised(client)
    assert error.status == 401
    assert len(server.requests) == 1
    assert client.retries == 0 and fake_time.sleeps == []


@pytest.mark.parametrize("status", [400, 403, 404, 409])
def test_client_errors_are_not_retried(server, fake_time, status):
    server.queue(server.Reply(status, server.error_envelope(status, {"code": 1, "message": "no"})),
                 server.Reply(200, server.envelope({})))
    client = make_client(server.url, fake_time, retries=3)
    assert raised(client).status == status
    assert len(server.requests) == 1


def test_deadline_prevents_a_retry(server, fake_time):
    busy = server.error_envelope(503, {"code": 0, "message": "busy"})
    server.queue(server.Reply(503, busy, headers={"Retry-After": "5"}), server.Reply(200, server.envelope({})))
    client = make_client(server.url, fake_time, retries=3)
    error = raised(client, deadline=fake_time.now + 4.0)
    assert error.status == 503
    assert fake_time.sleeps == []
    assert len(server.requests) == 1
    assert client.retries == 0


def test_deadline_allows_a_retry_that_fits(server, fake_time):
    busy = server.error_envelope(503, {"code": 0, "message": "busy"})
    server.queue(server.Reply(503, busy, headers={"Retry-After": "5"}), server.Reply(200, server.envelope({})))
    client = make_client(server.url, fake_time, retries=3)
    status, _headers, _body = get(client, deadline=fake_time.now + 60.0)
    assert status == 200
    assert fake_time.sleeps == [5.0]


def test_on_error_can_ask_for_one_more_attempt(server):
    server.queue(server.Reply(401, server.error_envelope(401, {"code": 1, "message": "decrypt failed"})),
                 server.Reply(200, server.envelope({"ok": 1})))
    client = make_client(server.url, retries=0)
    seen = []

    def on_error(error, attempt):
        seen.append((error.status, attempt))
        return attempt == 1

    _status, _headers, body = client.call(lambda: client.prepare("GET", "/x"), on_error=on_error)
    assert body["data"] == {"ok": 1}
    assert seen == [(401, 1)]
    assert client.retries == 1


# --- no answer ---------------------------------------------------------------------------------------

def _refused_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed on exit: nothing listens there


def test_connection_refused_is_network(fake_time):
    port = _refused_port()
    client = make_client("http://127.0.0.1:%d" % port, fake_time, retries=0)
    error = raised(client, "/api/v2/things", headers={"Authorization": SECRET_AUTH})
    assert error.kind == "network"
    assert error.status is None
    assert error.transient is True
    assert "127.0.0.1:%d" % port in error.message
    assert "GET /api/v2/things" in error.message


def test_read_timeout_is_timeout(server):
    server.queue(server.Reply(200, server.envelope({}), delay=1.0))
    client = make_client(server.url, retries=0, timeout=0.2)
    error = raised(client, "/api/v2/slow", headers={"Authorization": SECRET_AUTH})
    assert error.kind == "timeout"
    assert error.status is None
    assert error.transient is True
    assert "0.2 seconds" in error.message
    assert "GET /api/v2/slow" in error.message


# --- secrets ---------------------------------------------------------------------------------------

def _assert_no_secret(error):
    for text in (error.message, str(error), repr(error.args), repr(error.to_dict())):
        assert SECRET_AUTH not in text
        assert "c2VjcmV0LXVzZXI6dG9wLXNlY3JldC1wYXNzd29yZA" not in text
        assert "top-secret-password" not in text


@pytest.mark.parametrize("reply", [
    lambda s: s.Reply(401, s.error_envelope(401, {"code": 0, "message": "Bad credentials"})),
    lambda s: s.Reply(502, "<html><body>Bad Gateway</body></html>", content_type="text/html"),
    lambda s: s.Reply(200, b"not json at all"),
    lambda s: s.Reply(200, b'{"cut', declared_length=500),
])
def test_error_messages_never_carry_the_authorization_header(server, reply):
    server.queue(reply(server))
    client = make_client(server.url, retries=0)
    error = raised(client, "/api/v2/things?page=1", headers={"Authorization": SECRET_AUTH})
    assert server.requests[0].headers["Authorization"] == SECRET_AUTH  # it was sent
    _assert_no_secret(error)


def test_no_secret_in_network_and_timeout_errors(server):
    client = make_client("http://127.0.0.1:%d" % _refused_port(), retries=0)
    _assert_no_secret(raised(client, headers={"Authorization": SECRET_AUTH}))
    server.queue(server.Reply(200, server.envelope({}), delay=1.0))
    client = make_client(server.url, retries=0, timeout=0.2)
    _assert_no_secret(raised(client, headers={"Authorization": SECRET_AUTH}))


# --- TLS settings ------------------------------------------------------------------------------------

def test_tls_settings_reach_the_session():
    assert HttpClient("https://h", "OCP").session.verify is True
    assert HttpClient("https://h", "OCP", validate_certs=False, ca_path="/ca.pem").session.verify is False
    assert HttpClient("https://h", "OCP", ca_path="/ca.pem").session.verify == "/ca.pem"
    assert HttpClient("https://h", "OCP", client_cert="/c.pem", client_key="/k.pem").session.cert == ("/c.pem", "/k.pem")
    assert HttpClient("https://h", "OCP", client_cert="/both.pem").session.cert == "/both.pem"
    assert HttpClient("https://h/", "OCP").base_url == "https://h"
