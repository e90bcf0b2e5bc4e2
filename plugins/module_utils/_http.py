# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

# This module_utils file is for internal use only: its interface may change without notice.

"""One HTTP layer for the whole collection.

A ``requests`` session with a per-request timeout, TLS verification (``validate_certs``, ``ca_path``,
client certificates), retries of transient faults with exponential backoff and jitter bounded by a
retry budget and an optional deadline, and the OCP / obshell JSON envelopes turned into one error
type, :class:`ApiError`, that carries the HTTP status, the API's code, message and traceId.

Secrets never go into an error message: only the method, the URL path and the server's answer do.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import random
import ssl
import time

try:
    import requests
    from requests.adapters import HTTPAdapter

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the sanity import test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

# HTTP statuses that are worth another try: gateways and proxies in trouble, and throttling.
RETRYABLE_STATUSES = frozenset([429, 502, 503, 504])
USER_AGENT = "oceanbase.ops"
MAX_BODY_EXCERPT = 300


class ApiError(Exception):
    """Any failure to get a usable answer from an API.

    ``kind`` is one of ``http`` (the server answered with an error status), ``network`` (no answer:
    connection refused or reset, DNS, TLS), ``timeout`` (no answer within ``timeout`` seconds) and
    ``protocol`` (an answer that is not the expected JSON envelope).
    """

    def __init__(self, message, kind="http", status=None, code=None, api_message=None, trace_id=None,
                 method=None, path=None, retry_after=None, envelope=None):
        super(ApiError, self).__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.code = code
        self.api_message = api_message
        self.trace_id = trace_id
        self.method = method
        self.path = path
        self.retry_after = retry_after
        self.envelope = envelope
        # Set by an API client that knows this answer will not change (a 5xx with a known meaning).
        self.permanent = False

    @property
    def transient(self):
        """True when trying again later may succeed (network trouble, timeouts, 5xx, 429)."""
        if self.permanent:
            return False
        if self.kind in ("network", "timeout"):
            return True
        if self.kind == "protocol":
            # A truncated or garbled body, typically from a proxy or a restart in progress.
            return self.status is None or self.status >= 500 or self.status == 200
        return self.status is not None and (self.status in RETRYABLE_STATUSES or self.status >= 500)

    def to_dict(self):
        """The facts of the error, for a module result (never any request header)."""
        return dict(kind=self.kind, status=self.status, code=self.code, message=self.api_message,
                    trace_id=self.trace_id, method=self.method, path=self.path)


def _excerpt(text):
    text = " ".join(text.split())
    if len(text) > MAX_BODY_EXCERPT:
        text = text[:MAX_BODY_EXCERPT] + "..."
    return text


def _retry_after_seconds(headers):
    """Seconds the server asked us to wait: ``Retry-After`` (seconds) or OCP's ``RateLimit-Reset``."""
    for name in ("Retry-After", "RateLimit-Reset"):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value)
        except ValueError:
            continue  # an HTTP date in Retry-After: fall back to our own backoff
        if seconds >= 0:
            return seconds
    return None


class RetryPolicy:
    """How a single read is retried: ``retries`` more attempts after the first, exponential backoff
    from ``backoff`` seconds doubling up to ``backoff_max``, with full jitter."""

    def __init__(self, retries=3, backoff=1.0, backoff_max=30.0, rng=None):
        self.retries = retries
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.rng = rng or random.Random()

    def delay(self, attempt, error):
        """Seconds to wait before attempt number ``attempt + 1`` (``attempt`` starts at 1)."""
        if error is not None and error.retry_after is not None:
            return min(error.retry_after, self.backoff_max * 4)
        ceiling = min(self.backoff_max, self.backoff * (2 ** (attempt - 1)))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


class HttpClient:
    """A ``requests`` session bound to one base URL.

    ``api_name`` names the API in messages (``OCP``, ``obshell``); ``parse_error`` turns an error
    envelope into ``(code, message, trace_id)``.
    """

    def __init__(self, base_url, api_name, validate_certs=True, ca_path=None, client_cert=None,
                 client_key=None, timeout=30.0, retry_policy=None, clock=time.monotonic, sleep=time.sleep):
        self.base_url = base_url.rstrip("/")
        self.api_name = api_name
        self.timeout = timeout
        self.retry_policy = retry_policy or RetryPolicy()
        self.clock = clock
        self.sleep = sleep
        self.requests_sent = 0
        self.retries = 0
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.trust_env = True
        if not validate_certs:
            self.session.verify = False
        elif ca_path:
            self.session.verify = ca_path
        else:
            self.session.verify = True
        if client_cert:
            self.session.cert = (client_cert, client_key) if client_key else client_cert

    def close(self):
        self.session.close()

    def prepare(self, method, path, query=None, headers=None, body=None):
        """A prepared request for ``path`` and an already encoded ``query`` string.

        The query string is passed through untouched, so that what is signed (OCP's canonical
        query, obshell's ``uri``) is exactly what goes on the wire.
        """
        url = self.base_url + path
        if query:
            url += "?" + query
        request = requests.Request(method, url, headers=headers or {}, data=body)
        return self.session.prepare_request(request)

    def send(self, prepared, deadline=None):
        """Send once; return ``(status, headers, envelope)`` for a 2xx answer, raise ApiError otherwise.

        With a ``deadline`` (a ``clock()`` value) the request's timeout never reaches past it.
        """
        method, path = prepared.method, prepared.path_url.split("?", 1)[0]
        timeout = self.timeout
        if deadline is not None:
            timeout = max(0.5, min(timeout, deadline - self.clock()))
        self.requests_sent += 1
        try:
            response = self.session.send(prepared, timeout=timeout, allow_redirects=False, stream=True)
        except requests.exceptions.SSLError as exc:
            error = ApiError(
                "TLS error talking to %s at %s: %s. Check validate_certs and ca_path (a CA bundle that "
                "signs the server's certificate), or client_cert/client_key for mutual TLS."
                % (self.api_name, self.base_url, _short_reason(exc)),
                kind="network", method=method, path=path)
            # A certificate that does not verify now will not verify on the next attempt either.
            error.permanent = _is_cert_verification_error(exc)
            raise error
        except (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout) as exc:
            raise ApiError("%s did not answer %s %s within %s seconds (timeout): %s"
                           % (self.api_name, method, path, round(timeout, 1), _short_reason(exc)),
                           kind="timeout", method=method, path=path)
        except requests.exceptions.RequestException as exc:
            raise ApiError("Could not reach %s at %s (%s %s): %s"
                           % (self.api_name, self.base_url, method, path, _short_reason(exc)),
                           kind="network", method=method, path=path)
        return self._read(response, method, path)

    def _read(self, response, method, path):
        status = response.status_code
        try:
            content = response.content  # the body is streamed: a cut-off body surfaces here
        except requests.exceptions.RequestException as exc:
            raise ApiError("%s answered %s %s with HTTP %d but the body was cut off: %s"
                           % (self.api_name, method, path, status, _short_reason(exc)),
                           kind="protocol", status=status, method=method, path=path,
                           retry_after=_retry_after_seconds(response.headers))
        finally:
            response.close()
        envelope = None
        if content:
            try:
                envelope = json.loads(content)
            except ValueError:
                envelope = None
        if not isinstance(envelope, dict):
            content_type = response.headers.get("Content-Type", "no content type")
            if not content:
                what = "an empty body"
            elif envelope is None:
                what = "a body that is not JSON (%s): %s" % (content_type, _excerpt(content.decode("utf-8", "replace")))
            else:
                what = "a JSON %s instead of an object" % type(envelope).__name__
            raise ApiError("%s answered %s %s with HTTP %d and %s"
                           % (self.api_name, method, path, status, what),
                           kind="protocol" if 200 <= status < 300 else "http", status=status, method=method,
                           path=path, retry_after=_retry_after_seconds(response.headers))
        if 200 <= status < 300:
            return status, response.headers, envelope
        error = envelope.get("error") if isinstance(envelope.get("error"), dict) else {}
        code = error.get("errCode") or error.get("code")
        if code == 0:
            code = None
        api_message = error.get("message") or envelope.get("message")
        trace_id = envelope.get("traceId") or None
        parts = ["%s answered %s %s with HTTP %d" % (self.api_name, method, path, status)]
        if code is not None:
            parts.append("code %s" % code)
        message = ", ".join(parts)
        if api_message:
            message += ": %s" % api_message
        if trace_id:
            message += " (traceId %s)" % trace_id
        raise ApiError(message, kind="http", status=status, code=code, api_message=api_message, trace_id=trace_id,
                       method=method, path=path, retry_after=_retry_after_seconds(response.headers),
                       envelope=envelope)

    def call(self, build, deadline=None, on_error=None):
        """Build a fresh request with ``build()`` (so signatures and timestamps are new), send it, and
        retry transient failures per the retry policy, never past ``deadline`` (a ``clock()`` value).

        ``on_error(error, attempt)`` may return True to ask for one more attempt regardless of the
        policy (obshell uses it to re-read its key after a decrypt failure).
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                return self.send(build(), deadline)
            except ApiError as error:
                if on_error is not None and on_error(error, attempt):
                    self.retries += 1
                    continue
                if not error.transient or attempt > self.retry_policy.retries:
                    raise
                pause = self.retry_policy.delay(attempt, error)
                if deadline is not None and self.clock() + pause >= deadline:
                    raise
                self.retries += 1
                self.sleep(pause)


def _is_cert_verification_error(exc):
    """True when the TLS failure is the server's certificate failing verification."""
    todo, seen = [exc], 0
    while todo and seen < 16:
        current = todo.pop()
        seen += 1
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        todo += [inner for inner in (getattr(current, "reason", None), current.__cause__, current.__context__)
                 + tuple(getattr(current, "args", ())) if isinstance(inner, BaseException)]
    return False


def _short_reason(exc):
    """The innermost useful text of a requests/urllib3 exception, without the long wrapper chain."""
    reason = exc
    for _dummy in range(5):
        inner = getattr(reason, "reason", None) or (reason.args[0] if getattr(reason, "args", None) else None)
        if isinstance(inner, Exception) and inner is not reason:
            reason = inner
            continue
        break
    text = str(reason) or reason.__class__.__name__
    return _excerpt(text)
