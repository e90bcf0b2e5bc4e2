# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

# This module_utils file is for internal use only: its interface may change without notice.

"""OCP client: HTTP Basic or AK/SK (``OCP-ACCESS-KEY-HMACSHA1``) signing, query encoding, paging."""

from __future__ import annotations

import base64
import hashlib
import hmac
from email.utils import formatdate
from urllib.parse import quote, urlsplit

from ansible_collections.oceanbase.ops.plugins.module_utils._http import ApiError, HttpClient

MAX_PAGE_SIZE = 2000
CONTENT_TYPE = "application/json"

# Known OCP error codes (int up to 4.2.1, prefixed strings from 4.2.2) and what to do about them.
FRIENDLY_CODES = {
    "3000": "not logged in: check the credentials",
    "IAM10000": "not logged in: check the credentials",
    "3004": "wrong username or password",
    "3006": "wrong username or password",
    "IAM10004": "wrong username or password",
    "IAM10006": "wrong username or password",
    "IAM10014": "this client's IP address is blocked by OCP",
    "3100": "the OCP user lacks permission (read access to the cluster's backup and restore is needed)",
    "IAM11000": "the OCP user lacks permission (read access to the cluster's backup and restore is needed)",
    "COM10009": "the OCP user may not access this resource",
    "11001": "no OCP cluster with this cluster_id",
    "OBE11001": "no OCP cluster with this cluster_id",
    "15023": "no OCP tenant with this tenant_id in the cluster",
    "OBE21003": "no OCP tenant with this tenant_id in the cluster",
    "1010": "start_time or end_time is not valid",
    "COM10010": "start_time or end_time is not valid",
    "1013": "give both start_time and end_time, or neither",
    "1118": "the time range between start_time and end_time is too long",
    "COM10014": "the time range between start_time and end_time is too long",
}
FRIENDLY_STATUSES = {
    401: "authentication failed: check username/password or access_key_id/access_key_secret "
         "(AK/SK signatures also need the controller's clock within 15 minutes of OCP's)",
    403: "the OCP user is authenticated but not allowed to read this cluster's restore tasks",
    429: "OCP is throttling requests",
}


def rfc3986(text):
    """Percent-encode everything but ``A-Z a-z 0-9 - . _ ~`` (space becomes %20, comma %2C)."""
    return quote(str(text), safe="-._~")


def encode_query(pairs):
    """The query string the client sends: ``key=value`` pairs, RFC 3986 encoded, in the given order."""
    return "&".join("%s=%s" % (rfc3986(key), rfc3986(value)) for key, value in pairs)


def canonical_query(pairs):
    """OCP's canonical query for signing: values grouped per key as received (never split), keys
    sorted ordinally, empty values dropped, the rest sorted and joined with ',', then encoded."""
    grouped = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    parts = []
    for key in sorted(grouped):
        values = sorted(value for value in grouped[key] if value != "")
        parts.append("%s=%s" % (rfc3986(key), rfc3986(",".join(values))))
    return "&".join(parts)


def signing_message(method, body, content_type, date, host, ocp_headers, path, query_pairs):
    """The seven-line string that OCP's AK/SK signature covers."""
    body_md5 = hashlib.md5(body, usedforsecurity=False).hexdigest().upper().zfill(32) if body else ""
    header_lines = "\n".join(
        "%s:%s" % (name.lower(), value) for name, value in sorted(ocp_headers.items(), key=lambda item: item[0].lower())
    )
    resource = path
    if query_pairs:
        resource += "?" + canonical_query(query_pairs)
    return "\n".join([method.upper(), body_md5, content_type or "", date, host, header_lines, resource])


def sign(secret, message):
    digest = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def request_host(url):
    """The ``Host`` header requests sends: no port when it is the scheme's default."""
    split = urlsplit(url)
    host = split.hostname or ""
    if ":" in host:
        host = "[%s]" % host
    port = split.port
    default = 443 if split.scheme == "https" else 80
    if port is not None and port != default:
        host += ":%d" % port
    return host


class BasicAuth:
    kind = "basic"

    def __init__(self, username, password):
        token = base64.b64encode(("%s:%s" % (username, password)).encode("utf-8")).decode("ascii")
        self._header = "Basic " + token

    def apply(self, prepared, query_pairs):
        prepared.headers["Authorization"] = self._header


class AccessKeyAuth:
    kind = "access_key"

    def __init__(self, access_key_id, access_key_secret, now=None):
        self.access_key_id = access_key_id
        self._secret = access_key_secret
        self._now = now

    def apply(self, prepared, query_pairs):
        date = formatdate(self._now() if self._now else None, usegmt=True)
        prepared.headers["Date"] = date
        host = request_host(prepared.url)
        prepared.headers["Host"] = host
        ocp_headers = dict((name, value) for name, value in prepared.headers.items() if name.lower().startswith("x-ocp"))
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        path = urlsplit(prepared.url).path
        message = signing_message(prepared.method, body, prepared.headers.get("Content-Type", ""), date, host,
                                  ocp_headers, path, query_pairs)
        prepared.headers["Authorization"] = "OCP-ACCESS-KEY-HMACSHA1 %s:%s" % (self.access_key_id, sign(self._secret, message))


class OcpClient:
    """Reads OCP list endpoints with one of the two authentication methods."""

    api_name = "OCP"

    def __init__(self, http, auth, language="en-US"):
        self.http = http
        self.auth = auth
        self.language = language

    def _build(self, path, pairs):
        def build():
            prepared = self.http.prepare("GET", path, encode_query(pairs), headers={
                "Content-Type": CONTENT_TYPE, "Accept": "application/json", "Accept-Language": self.language})
            self.auth.apply(prepared, pairs)
            return prepared
        return build

    def get(self, path, pairs, deadline=None):
        try:
            _status, _headers, envelope = self.http.call(self._build(path, pairs), deadline=deadline)
        except ApiError as error:
            raise explain(error)
        if envelope.get("successful") is False:
            raise ApiError("OCP answered GET %s with successful: false and no error status" % path,
                           kind="protocol", status=200, method="GET", path=path, envelope=envelope)
        return envelope

    def iter_pages(self, path, pairs, page_size=MAX_PAGE_SIZE, deadline=None):
        """Yield the ``contents`` of every page, 1-based; stop at ``totalPages`` or an empty page.

        ``page.size`` in the answer is never trusted (OCP reports the item count there).
        """
        number = 1
        while True:
            envelope = self.get(path, list(pairs) + [("page", str(number)), ("size", str(page_size))], deadline)
            data = envelope.get("data")
            if not isinstance(data, dict) or not isinstance(data.get("contents"), list):
                raise ApiError("OCP answered GET %s with no data.contents list" % path, kind="protocol",
                               status=200, method="GET", path=path, envelope=envelope)
            contents = data.get("contents") or []
            if contents:
                yield contents
            page = data.get("page") if isinstance(data.get("page"), dict) else {}
            total_pages = page.get("totalPages", page.get("totalPage"))
            if not contents or not isinstance(total_pages, int) or number >= total_pages:
                return
            number += 1


def explain(error):
    """Add the known meaning of an OCP error code or status to its message."""
    hint = None
    if error.code is not None:
        hint = FRIENDLY_CODES.get(str(error.code))
    if hint is None and error.status in FRIENDLY_STATUSES:
        hint = FRIENDLY_STATUSES[error.status]
    if hint:
        error.message = "%s (%s)" % (error.message, hint)
        error.args = (error.message,)
    return error


def new_client(params, clock=None, sleep=None):
    """An OcpClient from validated module parameters (see _module.OCP_CONNECTION_SPEC)."""
    kwargs = {}
    if clock is not None:
        kwargs["clock"] = clock
    if sleep is not None:
        kwargs["sleep"] = sleep
    http = HttpClient(params["url"], "OCP", validate_certs=params["validate_certs"], ca_path=params.get("ca_path"),
                      timeout=params["timeout"], **kwargs)
    if params.get("access_key_id"):
        auth = AccessKeyAuth(params["access_key_id"], params["access_key_secret"])
    else:
        auth = BasicAuth(params["username"], params["password"])
    return OcpClient(http, auth)
